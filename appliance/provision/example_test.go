package provision_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"deskline/appliance/provision"
)

func Example() {
	// The integrator adapts its extensions and its store.
	extensions := map[string]provision.Account{
		"201": {DisplayName: "Ada", Password: "sip-secret-201"},
		"202": {DisplayName: "Bob", Password: "sip-secret-202"},
	}
	svc, err := provision.New(provision.Options{
		Store: provision.NewMemStore(),
		Accounts: func(ext string) (provision.Account, error) {
			a, ok := extensions[ext]
			if !ok {
				return a, fmt.Errorf("no extension %s", ext)
			}
			return a, nil
		},
		Settings: provision.Settings{Server: "192.0.2.10", TimeZone: "Europe/Paris"},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/provision/", svc.Handler())

	// A new Yealink phone asks for its file: nothing yet, but the panel sees it.
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/provision/805ec0123456.cfg", nil))
	seen, _ := svc.Seen()
	fmt.Println(w.Code, seen[0].MAC.Colon(), seen[0].Vendor)

	// The admin assigns it to extension 201, with a busy lamp for Bob.
	phone, err := svc.Assign(seen[0].MAC.String(), seen[0].Vendor, "T54W", "201", []string{"202"})
	if err != nil {
		panic(err)
	}

	// With its own credentials, the phone gets its file.
	r := httptest.NewRequest("GET", "/provision/805ec0123456.cfg", nil)
	r.SetBasicAuth(phone.Username, phone.Password)
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	for _, line := range strings.Split(w.Body.String(), "\n") {
		if strings.HasPrefix(line, "account.1.user_name") || strings.HasPrefix(line, "linekey.8.") {
			fmt.Println(line)
		}
	}
	fmt.Println(w.Code, w.Header().Get("Cache-Control"))
	// Output:
	// 404 80:5e:c0:12:34:56 yealink
	// account.1.user_name = 201
	// linekey.8.type = 16
	// linekey.8.line = 1
	// linekey.8.value = 202
	// linekey.8.label = Bob
	// 200 no-store
}
