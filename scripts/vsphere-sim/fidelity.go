package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"

	"github.com/vmware/govmomi/vim25"
)

// recorder keeps a response so that its SOAP body can be mended before it is sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(status int)      { r.status = status }

// soapRequest is the part of the RegisterVM_Task and ReconfigVM_Task requests the fixes need.
type soapRequest struct {
	Body struct {
		Register *struct {
			Path string `xml:"path"`
			Name string `xml:"name"`
		} `xml:"RegisterVM_Task"`
		Reconfig *struct {
			This string `xml:"_this"`
		} `xml:"ReconfigVM_Task"`
	} `xml:"Body"`
}

// fidelity wraps the simulator's handler with the fixes of the gaps between it and a real host.
func fidelity(next http.Handler, client *vim25.Client) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/sdk") || r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		request, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(request))
		var soap soapRequest
		if bytes.Contains(request, []byte("RegisterVM_Task")) || bytes.Contains(request, []byte("ReconfigVM_Task")) {
			_ = xml.Unmarshal(request, &soap)
		}
		if soap.Body.Register != nil {
			prepareRegister(soap.Body.Register.Path, soap.Body.Register.Name)
		}
		rec := &recorder{header: w.Header(), status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if soap.Body.Register != nil && rec.status == http.StatusOK {
			if err = finishRegister(client, soap.Body.Register.Path); err != nil {
				log.Printf("loading the registered VM's .vmx: %s", err)
			}
		}
		if soap.Body.Reconfig != nil && rec.status == http.StatusOK {
			if err = syncVMX(soap.Body.Reconfig.This); err != nil {
				log.Printf("writing the reconfigured VM's .vmx: %s", err)
			}
		}
		body, err := typeArrayItems(rec.body.Bytes())
		if err != nil {
			log.Printf("leaving a response as it is: %s", err)
			body = rec.body.Bytes()
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.status)
		_, _ = w.Write(body)
	})
}
