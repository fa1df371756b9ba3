package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"deskline/appliance"
	"deskline/storage"
)

// TestSIGKILLLosesNothingAcknowledged kills the daemon with SIGKILL at random
// moments while four clients create extensions through the API, restarts it,
// and checks that the store opens and passes bbolt's consistency check, that
// every extension whose creation was answered 201 is there. Start-up time
// is reported (the goal is under 3 s), not asserted.
func TestSIGKILLLosesNothingAcknowledged(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "deskline")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	acked := map[string]bool{}
	var mu sync.Mutex
	next := 1000
	const rounds = 6
	var slowest time.Duration
	for round := 0; round < rounds; round++ {
		httpAddr := freeTCP(t)
		k := &killBox{bin: bin, data: data, sip: "127.0.0.1:0", http: httpAddr, password: "durability-pass-1"}
		started := k.start(t)
		if started > slowest {
			slowest = started
		}
		// Everything acknowledged so far must be there after the last kill.
		if round > 0 {
			for num := range acked {
				req, _ := http.NewRequest("GET", "http://"+httpAddr+"/api/v1/extensions/"+num, nil)
				req.SetBasicAuth("admin", "durability-pass-1")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != 200 {
					t.Errorf("round %d: extension %s was acknowledged before a SIGKILL and is gone (%d)", round, num, res.StatusCode)
				}
			}
		}
		// Churn, then a kill at a random moment.
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := &http.Client{Timeout: 5 * time.Second}
				for {
					select {
					case <-stop:
						return
					default:
					}
					mu.Lock()
					num := fmt.Sprint(next)
					next++
					mu.Unlock()
					body := fmt.Sprintf(`{"number":%q,"name":"Churn","password":"churn-secret-abcdef"}`, num)
					req, _ := http.NewRequest("POST", "http://"+httpAddr+"/api/v1/extensions", strings.NewReader(body))
					req.SetBasicAuth("admin", "durability-pass-1")
					req.Header.Set("Content-Type", "application/json")
					res, err := c.Do(req)
					if err != nil {
						return // the daemon died under us
					}
					res.Body.Close()
					if res.StatusCode == 201 {
						mu.Lock()
						acked[num] = true
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(100+rng.IntN(600)) * time.Millisecond)
		k.kill()
		close(stop)
		wg.Wait()
	}
	db, err := appliance.OpenStore(data, nil)
	if err != nil {
		t.Fatalf("store after %d SIGKILLs: %v", rounds, err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Fatalf("store after %d SIGKILLs: %v", rounds, err)
	}
	exts, _ := storage.NewCollection[map[string]any](db, "extensions")
	for num := range acked {
		if _, err := exts.Get(num); err != nil {
			t.Errorf("extension %s acknowledged before the last SIGKILL is gone: %v", num, err)
		}
	}
	if len(acked) < 10*rounds {
		t.Fatalf("only %d extensions were acknowledged in %d rounds: the churn did not exercise the store", len(acked), rounds)
	}
	t.Logf("%d SIGKILLs under churn: %d extensions acknowledged, none lost; slowest start-up %v", rounds, len(acked), slowest.Round(time.Millisecond))
	if slowest > 3*time.Second {
		t.Logf("NOTE: start-up took %v, over the 3 s goal (reported, not asserted: the machine may be loaded)", slowest)
	}
}
