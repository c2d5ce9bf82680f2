// Command fakepush serves the fake Web Push service of package pushtest for
// the browser end-to-end tests: POST /subscription hands out a
// subscription, POST /push/<name> records a push, GET /received lists the
// decrypted payloads. It prints the address it listens on.
//
//	go run ./internal/pushtest/cmd/fakepush --addr 127.0.0.1:0
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/mealbuddy/mealbuddy/internal/pushtest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (loopback only: it is a test fake)")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("fakepush listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: pushtest.New(), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}
