# ves-agent (rpm %postun): after an upgrade ($1 >= 1) restart so the new binary runs.
if [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null 2>&1 || true
  if [ "$1" -ge 1 ]; then
    systemctl try-restart ves-agent.service >/dev/null 2>&1 || true
  fi
fi
exit 0
