package app

import (
	"errors"
	"go/build"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const modulePath = "github.com/mealbuddy/mealbuddy"

// modulePackages reads every package of the module from the source tree
// (the folder above app/), keyed by import path.
func modulePackages(t *testing.T) map[string]*build.Package {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	pkgs := map[string]*build.Package{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
			name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		p, err := build.ImportDir(path, build.ImportComment)
		if err != nil {
			var noGo *build.NoGoError
			if errors.As(err, &noGo) {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(root, path)
		ip := modulePath
		if rel != "." {
			ip += "/" + filepath.ToSlash(rel)
		}
		pkgs[ip] = p
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// TestImportRules keeps the architecture of STYLE.md true: store knows no
// HTTP and no hub, the hub no SQL and no store, and only the root main
// package imports app (the load driver, in particular, does not).
func TestImportRules(t *testing.T) {
	pkgs := modulePackages(t)
	for _, want := range []string{"", "/app", "/store", "/hub", "/cmd/mealbuddy-load"} {
		if pkgs[modulePath+want] == nil {
			t.Fatalf("package %s not found; found %d packages", modulePath+want, len(pkgs))
		}
	}
	deps := func(ip string) []string {
		var out []string
		seen := map[string]bool{}
		var visit func(string)
		visit = func(ip string) {
			p := pkgs[ip]
			if p == nil {
				return
			}
			for _, imp := range p.Imports {
				if !seen[imp] {
					seen[imp] = true
					out = append(out, imp)
					visit(imp) // only module packages have entries
				}
			}
		}
		visit(ip)
		return out
	}
	forbidden := map[string][]string{
		modulePath + "/store": {"net/http", modulePath + "/hub", modulePath + "/app"},
		modulePath + "/hub":   {"database/sql", modulePath + "/store", modulePath + "/app"},
	}
	for pkg, bad := range forbidden {
		for _, imp := range bad {
			if slices.Contains(deps(pkg), imp) {
				t.Errorf("%s imports %s (directly or through a module package)", pkg, imp)
			}
		}
	}
	for ip, p := range pkgs {
		if ip == modulePath || ip == modulePath+"/app" {
			continue
		}
		all := append(append(append([]string{}, p.Imports...), p.TestImports...), p.XTestImports...)
		if slices.Contains(all, modulePath+"/app") {
			t.Errorf("%s imports %s; only the root main package may", ip, modulePath+"/app")
		}
	}
}
