#!/usr/bin/env bash
# Bounds under hostile endpoints, per run of `git promote check stg` (whole process, /usr/bin/time -v):
#   (a) policy timeout 60s, SSM answers 300 MB (streamed, no Content-Length): wall time and peak RSS
#   (b) policy timeout 2s, dev's git remote leaves a grandchild holding git's stderr: wall time (the overrun)
#   (c) policy timeout 2s, the SSM endpoint drip-feeds its body a byte every 100 ms: wall time
# Usage: bench/hostile-bounds.sh [RUNS]     (default 3; uses GIT_PROMOTE_PREFIX or installs to a temp prefix)
set -euo pipefail
runs=${1:-3}
. "$(dirname -- "$0")/lib.sh"
bench_workspace bench

bench_isolated_git

serve() { # $1 = huge|drip; prints the port (run in a process substitution: exec makes $! the server)
  exec python3 - "$1" <<'PY'
import socket, sys, threading, time
mode = sys.argv[1]
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(50)
print(s.getsockname()[1], flush=True)
def serve(c):
    try:
        c.recv(65536)
        if mode == "huge":
            c.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nConnection: close\r\n\r\n{"Parameters":[],"InvalidParameters":["')
            chunk = b"a" * 65536
            for _ in range(300 * 16): c.sendall(chunk)
            c.sendall(b'"]}')
        else:
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nConnection: close\r\n\r\n{")
            while True: time.sleep(0.1); c.sendall(b" ")
    except Exception: pass
    finally: c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
}

project() { # $1 = folder, $2 = dev evidence (git|ssm), $3 = the policy's timeout
  for r in dev stg; do git init -q --bare "$1/$r.git"; done
  git init -q "$1/app"
  git -C "$1/app" remote add dev "$1/dev.git"; git -C "$1/app" remote add stg "$1/stg.git"
  if [ "$2" = ssm ]; then dev='{ name: dev, remotes: [dev], aws: { region: eu-west-1 }, evidence: [ { ssm: {} } ] }'
  else dev='{ name: dev, remotes: [dev], evidence: [ { git: {} } ] }'; fi
  printf 'version: 1\nname: bench\ntimeout: %s\nenvironments:\n  - %s\n  - { name: stg, remotes: [stg], evidence: [ { git: {} } ] }\n' "$3" "$dev" > "$1/app/.promote.yml"
  git -C "$1/app" add -A; git -C "$1/app" commit -qm first
}

measure() { # label, then the command; prints wall seconds and peak RSS of each run
  local label=$1; shift
  for i in $(seq "$runs"); do
    /usr/bin/time -f "$label  run $i: %e s wall, %M KiB peak RSS, exit %x" "$@" >/dev/null 2>"$work/err" || true
    tail -1 "$work/err"
  done
}

export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY AWS_EC2_METADATA_DISABLED=true

mkdir -p "$work/a" "$work/b" "$work/c"
exec 3< <(serve huge); read -r huge <&3; pids+=($!)
exec 4< <(serve drip); read -r drip <&4; pids+=($!)

project "$work/a" ssm 60s
(cd "$work/a/app" && AWS_ENDPOINT_URL_SSM="http://127.0.0.1:$huge/" measure "(a) 300 MB SSM answer" "$bin" check stg)

project "$work/b" git 2s
printf '#!/bin/sh\n(sleep 20 &)\nsleep 20\n' > "$work/b/slow-upload-pack"; chmod +x "$work/b/slow-upload-pack"
git -C "$work/b/app" config remote.dev.uploadpack "$work/b/slow-upload-pack"
(cd "$work/b/app" && measure "(b) timeout 2s, grandchild holds the pipe" "$bin" check stg)

project "$work/c" ssm 2s
(cd "$work/c/app" && AWS_ENDPOINT_URL_SSM="http://127.0.0.1:$drip/" measure "(c) timeout 2s, SSM drip-feeds" "$bin" check stg)
