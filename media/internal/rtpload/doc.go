// Package rtpload measures the media engine under the load of many bridged
// G.711 calls on loopback: CPU per relayed packet, loss, added latency and
// memory per call.
//
// A run has two processes. The engine process (the caller of Run: the
// rtpload command or BenchmarkRelayLoad) opens two Sessions per call on a
// PortPool and bridges them with a Relay. The generator process (a child
// started by Run, which calls ChildMain) plays both telephones of every
// call: paced from one clock, each phone sends a 172-byte PCMU packet every
// 20 ms to its Session, carrying its send time, and receives what the
// relay forwards from the other phone. The kernel's receive timestamp
// (SO_TIMESTAMPNS) minus the send time is the packet's latency, so the
// generator's own wake-ups are not counted. Keeping the generator in its
// own process lets the engine's CPU be read from rusage. To cost less than
// the engine it loads, the generator's phones share a few sockets (one per
// 100 legs) that it reads and writes in batches (recvmmsg, sendmmsg); the
// engine still sees one peer address per Session, as with real phones.
//
// Besides the media engine (Opts.Engine "relay"), a run can use floors
// that forward the same traffic between the same kind of sockets without
// any RTP work: a goroutine per socket ("copy"), the same on connected
// sockets ("copyconn"), or a few goroutines on an epoll set, woken per
// packet ("epoll") or polling every 0.5 ms ("tick"). Side by side with a
// relay run they show what the engine costs beyond the kernel and the Go
// runtime, and what another way of waiting for packets would save.
//
// A direct run is the same generator sending phone to phone without the
// engine; its latency is what loopback alone costs, so the difference to a
// relayed run is what the engine adds.
//
// Traffic stays on 127.0.0.0/8: Sessions on 127.0.0.1, phones on 127.0.0.2.
// Runs are bounded: the child stops by itself after warm-up, measurement and
// drain, and also when its stdin closes.
//
// Imports: deskline/media, golang.org/x/net/ipv4 and golang.org/x/sys/unix. Importers: the
// rtpload command and the media package's load benchmark. Linux only.
package rtpload
