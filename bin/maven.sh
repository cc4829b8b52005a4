# Sourced by bnlab's scripts after bin/jdk.sh: sets BNLAB_MVN to the Maven to run, the `mvn` on
# PATH when it is Maven 3.8 or newer, else the project's Maven Wrapper (mvnw), which downloads the
# Maven version pinned in .mvn/wrapper/maven-wrapper.properties from Maven Central on first use
# (checked against its SHA-256) into ~/.m2/wrapper, or $MAVEN_USER_HOME/wrapper.
_bnlab_maven_ok() {
  local v
  v=$("$1" -B -v 2>/dev/null | sed -n 's/^.*Apache Maven \([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1 \2/p' | head -n 1)
  [ -n "$v" ] || return 1
  set -- $v
  [ "$1" -gt 3 ] || { [ "$1" -eq 3 ] && [ "$2" -ge 8 ]; }
}
_bnlab_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if command -v mvn >/dev/null 2>&1 && _bnlab_maven_ok mvn; then
  BNLAB_MVN=mvn
else
  BNLAB_MVN="$_bnlab_root/mvnw"
fi
