# Sourced by bnlab's scripts: exports JAVA_HOME for the newest JDK >= 21 it can find.
# Looks at $JAVA_HOME, the java on PATH and /usr/lib/jvm/*, in that order of candidates.
_bnlab_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
_bnlab_find_jdk() {
  local best="" best_v=0 c v
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do [ -d "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v=$(_bnlab_java_major "$c")
    [ -n "$v" ] || continue
    if [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$c"; best_v="$v"; fi
  done
  [ -n "$best" ] || return 1
  echo "$best"
}
if ! BNLAB_JDK=$(_bnlab_find_jdk); then
  echo "bnlab needs a JDK 21 or newer (with javac); none found in JAVA_HOME, PATH or /usr/lib/jvm." >&2
  echo "Install one, e.g. 'apt-get install -y openjdk-21-jdk' or Temurin 25, or set JAVA_HOME." >&2
  return 1 2>/dev/null || exit 1
fi
export JAVA_HOME="$BNLAB_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
