/* SPDX-License-Identifier: MIT */
/*
 * A UDP echo server (RFC 862): every datagram to the port (7, or the
 * command line's port=N) goes back to its sender. The interface comes
 * from ip= and gw= on the command line. Prints "udp-echo: listening on
 * IP port N", then runs until the VM is destroyed; exits 1 on an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <denali.h>
#include <denali/net.h>

int main(void)
{
	char cmdline[DENALI_VREGS_CMDLINE_MAX], value[16], ip[NET_IPV4_STRLEN];
	char buf[2048];
	struct net_config cfg;
	unsigned long port = 7;
	uint32_t peer_ip;
	uint16_t peer_port;
	long n;
	int fd, ret;

	denali_cmdline(cmdline, sizeof(cmdline));
	if (net_cmdline_value(cmdline, "port", value, sizeof(value)) >= 0) {
		port = strtoul(value, NULL, 10);
		if (!port || port > 65535) {
			printf("udp-echo: bad port=%s\n", value);
			return 1;
		}
	}
	ret = net_start();
	if (ret) {
		printf("udp-echo: no network: %d\n", ret);
		return 1;
	}
	fd = net_socket(NET_SOCK_DGRAM);
	if (fd < 0 || (ret = net_bind(fd, (uint16_t)port))) {
		printf("udp-echo: cannot bind port %lu: %d\n", port,
		       fd < 0 ? fd : ret);
		return 1;
	}
	net_get_config(&cfg);
	printf("udp-echo: listening on %s port %lu\n",
	       net_format_ipv4(cfg.ip, ip), port);
	for (;;) {
		n = net_recvfrom(fd, buf, sizeof(buf), &peer_ip, &peer_port);
		if (n < 0) {
			printf("udp-echo: receive failed: %ld\n", n);
			return 1;
		}
		/* A lost echo is UDP's business; the sender retries. */
		net_sendto(fd, buf, (size_t)n, peer_ip, peer_port);
	}
}
