/* SPDX-License-Identifier: MIT */
/*
 * The interface's addresses from the boot command line: "ip=A.B.C.D/LEN"
 * and "gw=A.B.C.D" among words meant for others, which are ignored.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <denali/net.h>

const char *net_parse_ipv4(const char *s, uint32_t *ip)
{
	uint32_t addr = 0;
	unsigned int part, digits, i;

	for (i = 0; i < 4; i++) {
		if (i && *s++ != '.')
			return NULL;
		part = 0;
		for (digits = 0; *s >= '0' && *s <= '9'; digits++, s++) {
			part = part * 10 + (unsigned int)(*s - '0');
			if (part > 255 || digits == 3)
				return NULL;
		}
		if (!digits)
			return NULL;
		addr = addr << 8 | part;
	}
	*ip = addr;
	return s;
}

char *net_format_ipv4(uint32_t ip, char *buf)
{
	snprintf(buf, NET_IPV4_STRLEN, "%u.%u.%u.%u", ip >> 24,
		 (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
	return buf;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* "A.B.C.D/LEN", the whole word. */
static int parse_ip_word(const char *s, struct net_config *cfg)
{
	unsigned int prefix = 0, digits = 0;
	uint32_t ip;

	s = net_parse_ipv4(s, &ip);
	if (!s || *s++ != '/')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9' && digits < 2; s++, digits++)
		prefix = prefix * 10 + (unsigned int)(*s - '0');
	if (!digits || prefix < 1 || prefix > 30 || (*s && !is_space(*s)))
		return -EINVAL;
	cfg->ip = ip;
	cfg->netmask = ~0U << (32 - prefix);
	return 0;
}

static int parse_gw_word(const char *s, struct net_config *cfg)
{
	uint32_t ip;

	s = net_parse_ipv4(s, &ip);
	if (!s || (*s && !is_space(*s)))
		return -EINVAL;
	cfg->gateway = ip;
	return 0;
}

int net_config_parse(const char *cmdline, struct net_config *cfg)
{
	const char *s = cmdline;
	int ret;

	while (*s) {
		while (is_space(*s))
			s++;
		if (s[0] == 'i' && s[1] == 'p' && s[2] == '=')
			ret = parse_ip_word(s + 3, cfg);
		else if (s[0] == 'g' && s[1] == 'w' && s[2] == '=')
			ret = parse_gw_word(s + 3, cfg);
		else
			ret = 0;
		if (ret)
			return ret;
		while (*s && !is_space(*s))
			s++;
	}
	/* A gateway must be on the link, or nothing can reach it. */
	if (cfg->gateway && (!cfg->ip || ((cfg->gateway ^ cfg->ip) &
					  cfg->netmask)))
		return -EINVAL;
	return 0;
}

int net_cmdline_value(const char *cmdline, const char *key, char *buf,
		      size_t size)
{
	size_t key_len = strlen(key), len;
	const char *s = cmdline, *end;

	while (*s) {
		while (is_space(*s))
			s++;
		for (end = s; *end && !is_space(*end); end++)
			;
		if ((size_t)(end - s) > key_len && !strncmp(s, key, key_len) &&
		    s[key_len] == '=') {
			s += key_len + 1;
			len = (size_t)(end - s);
			if (size) {
				memcpy(buf, s, len < size ? len : size - 1);
				buf[len < size ? len : size - 1] = '\0';
			}
			return (int)len;
		}
		s = end;
	}
	return -ENOENT;
}
