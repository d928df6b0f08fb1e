# Set-up shared by the bench scripts (bash; source it after `set -euo pipefail`):
#   bench_workspace NAME   $root (the checkout), $work (a temp folder removed on exit, with every background process
#                          whose pid is added to $pids), $prefix and $bin (GIT_PROMOTE_PREFIX, or a fresh install.sh)
#   bench_isolated_git     HOME, global git config and identity of the bench's own, no system config, NO_COLOR
#   free_port, wait_for URL   a free loopback port; wait (10 s at most) until a local server answers
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)

bench_workspace() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/gp-$1.XXXXXX")
  pids=()
  trap bench_cleanup EXIT
  trap 'exit 143' INT TERM
  prefix=${GIT_PROMOTE_PREFIX:-}
  if [ -z "$prefix" ]; then prefix="$work/prefix"; "$root/install.sh" --prefix "$prefix" >/dev/null; fi
  bin="$prefix/bin/git-promote"
}

bench_cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }

bench_isolated_git() {
  export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
  mkdir -p "$HOME"
  export GIT_CONFIG_GLOBAL="$HOME/.gitconfig"
  git config --global user.name bench; git config --global user.email bench@example.com
  git config --global init.defaultBranch main; git config --global protocol.file.allow always
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
