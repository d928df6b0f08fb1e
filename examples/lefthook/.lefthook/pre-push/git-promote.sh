#!/bin/sh
# .lefthook/pre-push/git-promote.sh, run by the git-promote job of lefthook.yml (docs/rollout.md). lefthook passes git's
# two arguments, the remote's name and its URL, joined by spaces and split again: a URL with spaces arrives in pieces,
# and is put back together here. A remote's name has no spaces; a push to a bare URL with spaces is refused.
name=$1
shift
if [ $# -gt 1 ] && ! git config --get "remote.$name.url" >/dev/null 2>&1; then
  echo "git-promote: lefthook split this push's URL at its spaces; push through a remote's name (git remote add) instead" >&2
  exit 1
fi
exec git promote hook pre-push "$name" "$*"
