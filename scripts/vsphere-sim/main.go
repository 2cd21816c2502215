// Command vsphere-sim serves govmomi's vSphere simulator (an ESX host or a vCenter) over TLS, with the
// fidelity fixes libvirt's ESX driver needs to talk to it as to a real host (docs/esx.md).
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
)

func credentials(path string) (*url.Userinfo, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	line, err := bufio.NewReader(file).ReadString('\n')
	if err != nil && line == "" {
		return nil, fmt.Errorf("%s: empty, expected one line USER:PASSWORD", path)
	}
	user, password, found := strings.Cut(strings.TrimRight(line, "\r\n"), ":")
	if !found || user == "" || password == "" {
		return nil, fmt.Errorf("%s: expected one line USER:PASSWORD", path)
	}
	return url.UserPassword(user, password), nil
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8989", "host:port to serve the vSphere API on (TLS)")
	kind := flag.String("model", "esx", "esx (a standalone ESX host) or vpx (a vCenter)")
	login := flag.String("credentials", "", "file holding one line USER:PASSWORD (never on the command line)")
	trace := flag.Bool("trace", false, "write every SOAP request and response to stderr")
	flag.Parse()

	var model *simulator.Model
	switch *kind {
	case "esx":
		model = simulator.ESX()
	case "vpx":
		model = simulator.VPX()
	default:
		log.Fatalf("-model: expected esx or vpx, got %q", *kind)
	}
	if *login == "" {
		log.Fatal("-credentials: a file with USER:PASSWORD is required")
	}
	user, err := credentials(*login)
	if err != nil {
		log.Fatal(err)
	}
	simulator.Trace = *trace
	if err = model.Create(); err != nil {
		log.Fatalf("creating the %s model: %s", *kind, err)
	}
	defer model.Remove()
	if err = writeVMXFiles(); err != nil {
		log.Fatalf("writing the .vmx files of the model's VMs: %s", err)
	}
	model.Service.Listen = &url.URL{Host: *listen, User: user}
	model.Service.TLS = new(tls.Config)
	server := model.Service.NewServer()
	defer server.Close()
	// Read per request: replaced before the address is announced, so no request sees the old one.
	client, err := vim25.NewClient(context.Background(), model.Service)
	if err != nil {
		log.Fatalf("an in-process client of the simulator: %s", err)
	}
	server.Config.Handler = fidelity(server.Config.Handler, client)

	fmt.Printf("serving %s on https://%s/sdk\n", *kind, server.Listener.Addr())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
}
