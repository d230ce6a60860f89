# ves-agent (rpm %post): configuration readable by the service only; unit known to systemd.
if [ -f /etc/ves-agent/ves-agent.yml ]; then
  chown root:ves-agent /etc/ves-agent/ves-agent.yml
  chmod 0640 /etc/ves-agent/ves-agent.yml
fi
mkdir -p /var/lib/ves-agent
chown ves-agent:ves-agent /var/lib/ves-agent
chmod 0750 /var/lib/ves-agent
if [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null 2>&1 || true
  # $1 = 1: first install. Enable per the distribution's presets (systemctl preset), as %systemd_post does.
  if [ "$1" -eq 1 ]; then
    systemctl --no-reload preset ves-agent.service >/dev/null 2>&1 || true
  fi
fi
exit 0
