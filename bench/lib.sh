# Set-up shared by the bench scripts (bash; source it after `set -euo pipefail`):
#   bench_workspace NAME   $root (the checkout), $work (a temp folder removed on exit, with every background process
#                          whose pid is added to $pids), $prefix and $bin (GIT_PROMOTE_PREFIX, or a fresh install.sh)
#   bench_isolated_git     HOME, global git config and identity of the bench's own, no system config, NO_COLOR
#   free_port, wait_for URL   a free loopback port; wait (10 s at most) until a local server answers
#   start_moto             the SSM emulator in the background: $moto (its URL)
#   start_counting_proxy   bench/aws_counting_proxy.py in front of $moto: $proxy (its URL; GET $proxy/__counts)
#   fake_aws_credentials   no AWS_* of the caller's; test keys, region eu-west-1, no instance metadata, no pager
#   bench_app DIR REMOTE...   a bare DIR/REMOTE.git per remote and a clone DIR/app with them as remotes; cd there
#   bench_policy ENV[:ssm]... .promote.yml (service "bench") with those environments in order, each proven by git
#                          evidence, or with :ssm by SSM evidence in eu-west-1
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

start_moto() {
  local port; port=$(free_port)
  python3 -m moto.server -p "$port" -H 127.0.0.1 >"$work/moto.log" 2>&1 & pids+=($!)
  moto="http://127.0.0.1:$port"
  wait_for "$moto/moto-api/"
}

start_counting_proxy() {
  local port; port=$(free_port)
  python3 "$root/bench/aws_counting_proxy.py" "$port" "$moto" & pids+=($!)
  proxy="http://127.0.0.1:$port"
  wait_for "$proxy/__counts"
}

fake_aws_credentials() {
  unset $(env | sed -n 's/^\(AWS_[A-Z_]*\)=.*/\1/p') 2>/dev/null || true
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=eu-west-1 AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
}

bench_app() {
  local dir=$1 r; shift
  for r in "$@"; do git init -q --bare "$dir/$r.git"; done
  git init -q "$dir/app"; cd "$dir/app"
  for r in "$@"; do git remote add "$r" "$dir/$r.git"; done
}

bench_policy() {
  local e
  { printf 'version: 1\nname: bench\nenvironments:\n'
    for e in "$@"; do
      case $e in
        *:ssm) printf '  - { name: %s, remotes: [%s], aws: { region: eu-west-1 }, evidence: [ { ssm: {} } ] }\n' "${e%:ssm}" "${e%:ssm}" ;;
        *) printf '  - { name: %s, remotes: [%s], evidence: [ { git: {} } ] }\n' "$e" "$e" ;;
      esac
    done
  } > .promote.yml
}
