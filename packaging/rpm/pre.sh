# ves-agent (rpm %pre): the service user exists before the files are owned by it.
getent group ves-agent >/dev/null || groupadd --system ves-agent
getent passwd ves-agent >/dev/null || useradd --system --gid ves-agent --home-dir /var/lib/ves-agent \
  --no-create-home --shell /sbin/nologin --comment "ves-agent" ves-agent
exit 0
