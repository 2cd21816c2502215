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

// registerRequest is the part of a RegisterVM_Task request the fixes need.
type registerRequest struct {
	Body struct {
		Register *struct {
			Path string `xml:"path"`
			Name string `xml:"name"`
		} `xml:"RegisterVM_Task"`
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
		var register registerRequest
		if bytes.Contains(request, []byte("RegisterVM_Task")) {
			_ = xml.Unmarshal(request, &register)
		}
		if register.Body.Register != nil {
			prepareRegister(register.Body.Register.Path, register.Body.Register.Name)
		}
		rec := &recorder{header: w.Header(), status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if register.Body.Register != nil && rec.status == http.StatusOK {
			if err = finishRegister(client, register.Body.Register.Path); err != nil {
				log.Printf("loading the registered VM's .vmx: %s", err)
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
