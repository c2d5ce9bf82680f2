// Package ui embeds the built React web client.
//
// The source lives next to this file (index.html, src/); `npm run build`
// writes the bundle into dist/. A placeholder dist/.keep is committed so that
// `go build` works on a fresh clone without Node; in that case FS() holds no
// index.html and the server should answer that the UI was not built.
package ui

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// FS returns the built UI rooted at dist/ (index.html, assets/…, favicon.svg).
// Files under assets/ carry a content hash in their names.
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub only fails on an invalid path; "dist" is valid.
		panic(err)
	}
	return sub
}
