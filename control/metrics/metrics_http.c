/* SPDX-License-Identifier: BSD-3-Clause */
/* /metrics over HTTP with libmicrohttpd, driven by the control loop (metrics.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include "metrics.h"

#define CONNECTIONS_MAX 16
#define CONNECTION_TIMEOUT_S 10

struct metrics_server {
	struct MHD_Daemon *daemon;
	struct runtime *rt;
	struct metrics_bgp_cache bgp;
};

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_len, void **state)
{
	struct metrics_server *m = cls;
	struct MHD_Response *response;
	unsigned status = MHD_HTTP_OK;
	enum MHD_Result ret;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)state;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
		text = strdup("only GET\n");
	} else if (strcmp(url, "/metrics") != 0) {
		status = MHD_HTTP_NOT_FOUND;
		text = strdup("secnat serves /metrics\n");
	} else if ((out = open_memstream(&text, &len)) != NULL) {
		metrics_render(m->rt, &m->bgp, out);
		fclose(out);
	}
	if (text == NULL)
		return MHD_NO;
	response = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (response == NULL) {
		free(text);
		return MHD_NO;
	}
	if (status == MHD_HTTP_OK)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
					"text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(conn, status, response);
	MHD_destroy_response(response);
	return ret;
}

struct metrics_server *metrics_server_start(struct runtime *rt, uint32_t addr, uint16_t port, char *err,
					    size_t err_len)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(addr)};
	struct metrics_server *m = calloc(1, sizeof(*m));
	char text[INET_ADDRSTRLEN];

	if (m == NULL) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	m->rt = rt;
	/* No thread: MHD_run() from the control loop does the work, never waiting. */
	m->daemon = MHD_start_daemon(MHD_USE_EPOLL, port, NULL, NULL, answer, m, MHD_OPTION_SOCK_ADDR, &sa,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTIONS_MAX,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
				     MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
	if (m->daemon == NULL) {
		int e = errno;

		inet_ntop(AF_INET, &sa.sin_addr, text, sizeof(text));
		snprintf(err, err_len, "metrics listen %s %u: cannot listen there (%s)", text, port,
			 e ? strerror(e) : "address in use or not this host's");
		free(m);
		return NULL;
	}
	return m;
}

void metrics_server_poll(struct metrics_server *m)
{
	if (m != NULL)
		MHD_run(m->daemon);
}

void metrics_server_stop(struct metrics_server *m)
{
	if (m == NULL)
		return;
	MHD_stop_daemon(m->daemon);
	free(m);
}

int rt_metrics_apply(struct runtime *rt, const struct secnat_config *cfg, char *err, size_t err_len)
{
	struct metrics_server *next = NULL;

	if (cfg->metrics_port == rt->cfg.metrics_port && cfg->metrics_addr == rt->cfg.metrics_addr &&
	    (rt->metrics != NULL) == (cfg->metrics_port != 0))
		return 0;
	/* The new listener first: a refused address leaves the old one serving. */
	if (cfg->metrics_port != 0) {
		next = metrics_server_start(rt, cfg->metrics_addr, cfg->metrics_port, err, err_len);
		if (next == NULL)
			return -EADDRNOTAVAIL;
	}
	metrics_server_stop(rt->metrics);
	rt->metrics = next;
	return 0;
}
