module gokrazy/build/deskline

go 1.26

require deskline v0.0.0-00010101000000-000000000000

replace deskline => ../../../../..
