#!/bin/sh
# Runs once the server's device ($1) is up: e.g. routes behind the clients.
ip route add 10.20.2.0/24 dev "$1"
