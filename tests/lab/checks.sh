# shellcheck shell=bash
# What the integration scripts share: one check per behaviour, retries with a deadline, and the
# closing "N passed, N failed" line that scripts/test.sh adds up.
passes=0 failures=0

check() { # name, command...
  local name=$1
  shift
  if "$@"; then
    passes=$((passes + 1))
    echo "ok   $name"
  else
    failures=$((failures + 1))
    echo "FAIL $name"
  fi
}

# within SECONDS COMMAND...: runs the command every 0.2 s until it succeeds or the time is up.
within() {
  local seconds=$1 i
  shift
  for i in $(seq $((seconds * 5))); do
    "$@" && return 0
    sleep 0.2
  done
  return 1
}

# Prints the count; succeeds when nothing failed.
report() {
  echo "$passes passed, $failures failed"
  [ "$failures" -eq 0 ]
}
