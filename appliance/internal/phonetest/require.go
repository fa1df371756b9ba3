package phonetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// modules are the baresip modules every Phone loads, in load order.
var modules = []string{"g711", "aufile", "aubridge", "sndfile", "account", "contact", "menu", "ctrl_tcp"}

// installHint says how to get the peers; printed when they are missing.
const installHint = "run .ci/install-test-deps (installs Debian's baresip, whose baresip-core holds every module used here)"

// Require skips the test when baresip or one of the modules a Phone needs is
// missing, saying how to install them. When the environment variable CI is
// "true" it fails the test instead: a missing peer must not turn CI green.
func Require(t testing.TB) {
	t.Helper()
	if _, _, err := locate(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("phonetest: %v; %s", err, installHint)
		}
		t.Skipf("phonetest: %v; %s", err, installHint)
	}
}

// locate finds the baresip binary and its module directory.
func locate() (bin, moduleDir string, err error) {
	bin, err = exec.LookPath("baresip")
	if err != nil {
		return "", "", fmt.Errorf("baresip not found in PATH")
	}
	real, err := filepath.EvalSymlinks(bin)
	if err != nil {
		real = bin
	}
	candidates := []string{
		filepath.Join(filepath.Dir(filepath.Dir(real)), "lib", "baresip", "modules"),
		"/usr/lib/baresip/modules",
		"/usr/local/lib/baresip/modules",
	}
	var missingIn []string
	for _, dir := range candidates {
		var missing []string
		for _, m := range modules {
			if _, err := os.Stat(filepath.Join(dir, m+".so")); err != nil {
				missing = append(missing, m)
			}
		}
		if len(missing) == 0 {
			return bin, dir, nil
		}
		missingIn = append(missingIn, fmt.Sprintf("%s lacks %s", dir, strings.Join(missing, ", ")))
	}
	return "", "", fmt.Errorf("baresip modules missing (%s)", strings.Join(missingIn, "; "))
}
