// Command kube-control-plane is a Kubernetes control plane in one binary, as k3s
// builds one: the first argument picks the component, the rest are its own
// upstream flags. All three come from the same k8s.io/kubernetes release, so one
// Go build serves them, and scripts/real-apiserver starts one process of each.
//
//	kube-control-plane apiserver [--embedded-etcd-…] FLAGS   kube-apiserver with embedded etcd (../apiserver.go)
//	kube-control-plane controller-manager FLAGS              kube-controller-manager
//	kube-control-plane scheduler FLAGS                       kube-scheduler
//
// It adds no behaviour of its own: each subcommand is the upstream command.
package main

import (
	"fmt"
	"os"

	"k8s.io/component-base/cli"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	rest := os.Args[2:]
	// Clients name themselves after the program (their user agent, so the
	// field manager of what they write): the upstream components' own names.
	os.Args[0] = "kube-" + os.Args[1]
	switch os.Args[1] {
	case "apiserver":
		os.Exit(runAPIServer(rest))
	case "controller-manager":
		command := controllermanager.NewControllerManagerCommand()
		command.SetArgs(rest)
		os.Exit(cli.Run(command))
	case "scheduler":
		command := scheduler.NewSchedulerCommand()
		command.SetArgs(rest)
		os.Exit(cli.Run(command))
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: kube-control-plane apiserver|controller-manager|scheduler [FLAGS...]")
	os.Exit(2)
}
