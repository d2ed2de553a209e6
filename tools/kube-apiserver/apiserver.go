// The kube-apiserver with an embedded, throw-away etcd member in the same
// process: shared by the bare server (main.go beside it) and the control plane
// (control-plane/main.go, its `apiserver` subcommand). Holds no main function.
//
// Own flags (must come first, removed before the apiserver parses the rest):
//
//	--embedded-etcd-dir=DIR          data dir (created with mode 0700); env PODPATCH_ETCD_DIR
//	--embedded-etcd-client-port=N    loopback client port (default 2379); env PODPATCH_ETCD_CLIENT_PORT
//	--embedded-etcd-peer-port=N      loopback peer port (default 2380); env PODPATCH_ETCD_PEER_PORT
//	--embedded-etcd-ready-timeout=D  wait for etcd readiness (default 60s)
//
// All other arguments go to the upstream kube-apiserver command. If no
// --etcd-servers is given, the embedded member's client URL is added.
package main

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // for timeZone support in CronJob

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // for JSON log format registration
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // load all the prometheus client-go plugins
	_ "k8s.io/component-base/metrics/prometheus/version"  // for version metric registration
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

// runAPIServer runs kube-apiserver with args (the process arguments after the
// program name, or after the control plane's `apiserver` subcommand) beside an
// embedded etcd member; it returns the exit code.
func runAPIServer(args []string) int {
	dir := os.Getenv("PODPATCH_ETCD_DIR")
	clientPort := envOr("PODPATCH_ETCD_CLIENT_PORT", "2379")
	peerPort := envOr("PODPATCH_ETCD_PEER_PORT", "2380")
	timeout := 60 * time.Second
	var rest []string
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		switch k {
		case "--embedded-etcd-dir":
			dir = v
		case "--embedded-etcd-client-port":
			clientPort = v
		case "--embedded-etcd-peer-port":
			peerPort = v
		case "--embedded-etcd-ready-timeout":
			d, err := time.ParseDuration(v)
			if err != nil {
				fail("bad %s: %v", k, err)
			}
			timeout = d
		default:
			rest = append(rest, a)
		}
	}
	if dir == "" {
		fail("--embedded-etcd-dir (or PODPATCH_ETCD_DIR) is required")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		fail("etcd data dir: %v", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		fail("etcd data dir: %v", err)
	}

	cfg := embed.NewConfig()
	cfg.Name = "podpatch"
	cfg.Dir = dir
	cfg.UnsafeNoFsync = true
	cfg.LogLevel = "warn"
	cu := mustURL("http://127.0.0.1:" + clientPort)
	pu := mustURL("http://127.0.0.1:" + peerPort)
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{cu}, []url.URL{cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{pu}, []url.URL{pu}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		fail("start embedded etcd: %v", err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		fail("embedded etcd: %v", err)
	case <-time.After(timeout):
		e.Server.Stop()
		e.Close()
		fail("embedded etcd not ready after %s", timeout)
	}

	hasEtcd := false
	for _, a := range rest {
		if a == "--etcd-servers" || strings.HasPrefix(a, "--etcd-servers=") {
			hasEtcd = true
		}
	}
	if !hasEtcd {
		rest = append(rest, "--etcd-servers="+cu.String())
	}

	command := app.NewAPIServerCommand()
	command.SetArgs(rest)
	code := cli.Run(command)
	e.Close()
	return code
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func mustURL(s string) url.URL {
	u, err := url.Parse(s)
	if err != nil {
		fail("bad url %q: %v", s, err)
	}
	return *u
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "kube-apiserver (embedded etcd): "+format+"\n", a...)
	os.Exit(1)
}
