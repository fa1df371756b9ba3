// Package media is Deskline's pure-Go media engine: RTP sessions on a pool of
// ports, symmetric RTP, G.711 µ-law/A-law and transcoding between them, and
// the relay that carries a call's audio between two legs. Later stages (jitter
// buffer, DTMF, tones, prompts, recorder, mixer, SRTP) are added as small
// stages of the same pipeline.
//
// # How a bridged call uses it
//
// The appliance owns one PortPool for the configured RTP range. For each
// call leg it calls PortPool.Listen and puts Session.LocalAddr in its SDP;
// from the peer's SDP it calls SetRemote, SetFormat and SetDirection, and
// again on every re-INVITE. To bridge two legs it starts a Relay between
// their Sessions; to unbridge (transfer, hold music, a prompt) it closes the
// Relay, which leaves the Sessions open. When a leg ends it closes the
// Session, which frees the port.
//
// # Concurrency and cost
//
// Control calls come from signalling, a few times per call, and may run
// concurrently with the packet path. The packet path is one goroutine per
// direction of a Relay; per packet it takes each Session's lock once, briefly,
// and allocates nothing. Goroutines are started only by Relay.Start and are
// stopped and waited for by Relay.Close.
//
// Imports: nothing of Deskline's. It knows nothing of SIP, queues or storage.
// Importers: appliance, which adapts it for calls.
package media
