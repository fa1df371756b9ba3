package webui_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"deskline/webui"
	"deskline/webui/webuitest"
)

// A panel over in-memory fakes: an administrator creates an extension
// through the JSON API with HTTP Basic credentials, as a script would.
func Example() {
	hash, err := webui.HashPassword("a long admin passphrase")
	if err != nil {
		log.Fatal(err)
	}
	srv, err := webui.New(webui.Options{
		Backend: webuitest.NewMemoryBackend(),
		Users:   webuitest.NewMemoryUserStore(webui.User{Name: "admin", Role: webui.RoleAdmin, PasswordHash: hash}),
		Version: "v1.0.0",
	})
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/extensions",
		strings.NewReader(`{"number":"201","name":"Reception","password":"sip-secret-201"}`))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("admin", "a long admin passphrase")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.Status, res.Header.Get("Location"))
	fmt.Print(string(body))
	// Output:
	// 201 Created /api/v1/extensions/201
	// {"number":"201","name":"Reception","srtp":"optional","supervisor":false,"voicemail":true,"registered":false,"class":"national"}
}
