// Command kube-apiserver is the upstream kube-apiserver with an embedded,
// throw-away etcd member in the same process, for running the podpatch suite
// against a real API server without Docker or release binaries. The server and
// its flags are in apiserver.go; this file only runs it with the process's
// arguments.
package main

import "os"

func main() {
	os.Exit(runAPIServer(os.Args[1:]))
}
