#!/bin/sh
# driver-schema-test.sh (TAP): the expected capabilities and domain
# capabilities of the data-driven tests are valid against libvirt's own
# schemas, so the driver's real output (which the tests compare with them)
# is too.
srcdir=${srcdir:-$(dirname "$0")}
set -- "$srcdir"/libxlcapsdata/*.xml "$srcdir"/libxldomcapsdata/*.xml
echo "1..$#"
if ! command -v virt-xml-validate >/dev/null; then
    i=0; for f; do i=$((i + 1)); echo "ok $i - $(basename "$f") # SKIP no virt-xml-validate"; done
    exit 0
fi
i=0
for f; do
    i=$((i + 1))
    case $f in
    */libxlcapsdata/*) schema=capability ;;
    *) schema=domaincaps ;;
    esac
    if out=$(virt-xml-validate "$f" $schema 2>&1); then
        echo "ok $i - $schema $(basename "$f")"
    else
        echo "not ok $i - $schema $(basename "$f")"
        echo "$out" | sed 's/^/# /'
    fi
done
