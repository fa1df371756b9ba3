// Command deskline is the Deskline daemon. It is deliberately thin: all wiring
// lives in package appliance.
package main

func main() {}
