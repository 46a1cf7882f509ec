/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bird_conf.h"
#include "bird_daemon.h"
#include "clock.h"

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 30000
#define STABLE_MS 60000 /* up this long: the next death starts the backoff afresh */
#define REPLY_TIMEOUT_S 2

/* Can `uid`/`gid` walk down to `dir`? BIRD reads its configuration after dropping root. */
static bool reachable_by(const char *dir, uid_t uid, gid_t gid, char *blocker, size_t len)
{
	char path[BIRD_PATH_MAX];
	char *slash = path;
	struct stat st;

	snprintf(path, sizeof(path), "%s", dir);
	while ((slash = strchr(slash + 1, '/')) != NULL) {
		*slash = '\0';
		if (stat(path[0] ? path : "/", &st) != 0 ||
		    !(st.st_uid == uid ? st.st_mode & S_IXUSR : st.st_gid == gid ? st.st_mode & S_IXGRP
										 : st.st_mode & S_IXOTH)) {
			snprintf(blocker, len, "%s", path[0] ? path : "/");
			return false;
		}
		*slash = '/';
	}
	return true;
}

/* Decides who BIRD runs as: BIRD_USER where it exists and can reach `dir`, else root. */
static void choose_user(struct bird_daemon *d, const char *dir)
{
	const struct passwd *pw = getpwnam(BIRD_USER);
	char blocker[BIRD_PATH_MAX];

	d->unprivileged = false;
	if (geteuid() != 0) {
		snprintf(d->privileged_why, sizeof(d->privileged_why), "secnat itself does not run as root");
		return;
	}
	if (pw == NULL) {
		snprintf(d->privileged_why, sizeof(d->privileged_why), "no user '%s' on this system", BIRD_USER);
		return;
	}
	if (!reachable_by(dir, pw->pw_uid, pw->pw_gid, blocker, sizeof(blocker))) {
		snprintf(d->privileged_why, sizeof(d->privileged_why), "user '%s' cannot reach %s (mode of %s)",
			 BIRD_USER, dir, blocker);
		return;
	}
	d->unprivileged = true;
	d->uid = pw->pw_uid;
	d->gid = pw->pw_gid;
}

int bird_daemon_init(struct bird_daemon *d, const char *dir, const char *binary, int netns_fd)
{
	memset(d, 0, sizeof(*d));
	if (strlen(dir) >= sizeof(d->dir))
		return -ENAMETOOLONG;
	snprintf(d->dir, sizeof(d->dir), "%s", dir);
	snprintf(d->conf, sizeof(d->conf), "%s/bird.conf", dir);
	snprintf(d->sock, sizeof(d->sock), "%s/bird.ctl", dir);
	snprintf(d->log, sizeof(d->log), "%s/bird.log", dir);
	if (strlen(d->sock) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return -ENAMETOOLONG;
	d->binary = binary;
	d->netns_fd = netns_fd;
	d->backoff_ms = BACKOFF_FIRST_MS;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	choose_user(d, dir);
	if (d->unprivileged && chown(dir, d->uid, d->gid) != 0)
		return -errno;
	/* The configuration holds passwords: nobody but BIRD's user (and root) may even list it. */
	return chmod(dir, 0700) == 0 ? 0 : -errno;
}

static int write_conf(struct bird_daemon *d, const struct secnat_config *cfg)
{
	char tmp[sizeof(d->conf) + 4];
	FILE *f;
	int fd, ret;

	snprintf(tmp, sizeof(tmp), "%s.new", d->conf);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (d->unprivileged && fchown(fd, d->uid, d->gid) != 0) {
		ret = -errno;
		close(fd);
		unlink(tmp);
		return ret;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return -errno;
	}
	ret = bird_conf_write(f, cfg, d->log);
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && rename(tmp, d->conf) != 0)
		ret = -errno;
	if (ret != 0)
		unlink(tmp);
	return ret;
}

static void start(struct bird_daemon *d, uint64_t now_ms)
{
	char out[sizeof(d->log) + 8];
	pid_t pid;

	snprintf(out, sizeof(out), "%s.out", d->log);
	pid = fork();
	if (pid < 0) {
		d->next_start_ms = now_ms + d->backoff_ms;
		return;
	}
	if (pid == 0) {
		/* The child of a multi-threaded process: async-signal-safe calls only, then exec. */
		int null = open("/dev/null", O_RDONLY), log = open(out, O_WRONLY | O_CREAT | O_APPEND, 0600);

		if (setns(d->netns_fd, CLONE_NEWNET) != 0)
			_exit(126);
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* secnat gone: BIRD follows */
		dup2(null, 0);
		dup2(log, 1);
		dup2(log, 2);
		close_range(3, ~0u, 0);
		signal(SIGPIPE, SIG_DFL);
		if (d->unprivileged)
			execl(d->binary, d->binary, "-f", "-c", d->conf, "-s", d->sock, "-u", BIRD_USER, "-g",
			      BIRD_USER, (char *)NULL);
		else
			execl(d->binary, d->binary, "-f", "-c", d->conf, "-s", d->sock, (char *)NULL);
		_exit(127);
	}
	d->pid = pid;
	d->started_ms = now_ms;
}

bool bird_daemon_tick(struct bird_daemon *d, uint64_t now_ms)
{
	int status;

	if (d->pid > 0 && waitpid(d->pid, &status, WNOHANG) == d->pid) {
		d->pid = 0;
		d->died_ms = now_ms;
		d->restarts++;
		if (now_ms - d->started_ms > STABLE_MS)
			d->backoff_ms = BACKOFF_FIRST_MS;
		d->next_start_ms = now_ms + d->backoff_ms;
		d->backoff_ms = d->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : d->backoff_ms * 2;
		return true;
	}
	if (d->pid == 0 && d->wanted && now_ms >= d->next_start_ms)
		start(d, now_ms);
	return false;
}

/* A reply line: "1002-text" (more follows), "0000 text" (the last), " text" (continues the code). */
struct reply {
	bird_line_fn fn;
	void *arg;
	int code;
	bool last;
	int error; /* the first 8xxx/9xxx code: BIRD refused */
	char message[256];
};

static void reply_line(struct reply *r, char *line)
{
	if (strlen(line) >= 5 && line[0] >= '0' && line[0] <= '9' && (line[4] == '-' || line[4] == ' ')) {
		r->code = atoi(line);
		r->last = line[4] == ' ';
		line += 5;
		if (r->code >= 8000 && r->error == 0) {
			r->error = r->code;
			snprintf(r->message, sizeof(r->message), "%.200s", line);
		}
	} else if (line[0] == ' ') {
		line++;
	}
	if (r->fn != NULL && r->code != 1)
		r->fn(r->arg, r->code, line);
}

/* Reads reply lines until the last one; the greeting (0001) is a reply of its own. */
static int read_reply(int fd, struct reply *r, char *buf, size_t size, size_t *used)
{
	char *nl;
	ssize_t n;

	r->last = false;
	while (!r->last) {
		while ((nl = memchr(buf, '\n', *used)) != NULL) {
			*nl = '\0';
			reply_line(r, buf);
			*used -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, *used);
			if (r->last)
				return 0;
		}
		if (*used == size - 1)
			*used = 0; /* a line longer than the buffer: drop it rather than stall */
		n = read(fd, buf + *used, size - 1 - *used);
		if (n <= 0)
			return n == 0 ? -ECONNRESET : -errno;
		*used += (size_t)n;
	}
	return 0;
}

static int query(struct bird_daemon *d, const char *command, struct reply *r)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval timeout = {.tv_sec = REPLY_TIMEOUT_S};
	static char buf[65536];
	size_t used = 0;
	int fd, ret;

	if (d->pid == 0)
		return -ECONNREFUSED;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%.107s", d->sock); /* length checked at init */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	{
		struct reply greeting = {0};

		ret = read_reply(fd, &greeting, buf, sizeof(buf), &used);
	}
	if (ret == 0 && dprintf(fd, "%s\n", command) < 0)
		ret = -errno;
	if (ret == 0)
		ret = read_reply(fd, r, buf, sizeof(buf), &used);
	close(fd);
	return ret;
}

int bird_daemon_read_reply(int fd, bird_line_fn line, void *arg)
{
	static char buf[65536];
	struct reply r = {.fn = line, .arg = arg};
	size_t used = 0;
	int ret = read_reply(fd, &r, buf, sizeof(buf), &used);

	return ret == 0 && r.error != 0 ? -EINVAL : ret;
}

int bird_daemon_query(struct bird_daemon *d, const char *command, bird_line_fn line, void *arg)
{
	struct reply r = {.fn = line, .arg = arg};
	int ret = query(d, command, &r);

	if (ret == 0 && r.error != 0)
		return -EINVAL;
	return ret;
}

int bird_daemon_apply(struct bird_daemon *d, const struct secnat_config *cfg, char *err, size_t err_len)
{
	struct reply r = {0};
	int ret;

	if (cfg->bgp_as == 0) {
		d->wanted = false;
		bird_daemon_stop(d);
		return 0;
	}
	ret = write_conf(d, cfg);
	if (ret != 0) {
		snprintf(err, err_len, "cannot write %s: %s", d->conf, strerror(-ret));
		return ret;
	}
	d->wanted = true;
	if (d->pid == 0) {
		d->backoff_ms = BACKOFF_FIRST_MS;
		start(d, monotonic_ms());
		return 0;
	}
	/* BIRD compares old and new: sessions whose configuration did not change stay up. */
	ret = query(d, "configure", &r);
	if (ret == 0 && r.error != 0) {
		snprintf(err, err_len, "BIRD refused the configuration: %s", r.message);
		return -EINVAL;
	}
	if (ret != 0)
		snprintf(err, err_len, "cannot reach BIRD to reconfigure it: %s", strerror(-ret));
	return ret;
}

void bird_daemon_stop(struct bird_daemon *d)
{
	int i;

	if (d->pid <= 0)
		return;
	kill(d->pid, SIGTERM);
	for (i = 0; i < 200 && waitpid(d->pid, NULL, WNOHANG) == 0; i++)
		usleep(10000);
	if (i == 200) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
	}
	d->pid = 0;
}

void bird_daemon_fini(struct bird_daemon *d)
{
	char out[sizeof(d->log) + 8], tmp[sizeof(d->conf) + 4];

	bird_daemon_stop(d);
	if (d->dir[0] == '\0')
		return;
	snprintf(out, sizeof(out), "%s.out", d->log);
	snprintf(tmp, sizeof(tmp), "%s.new", d->conf);
	unlink(d->conf);
	unlink(tmp);
	unlink(d->sock);
	unlink(d->log);
	unlink(out);
	rmdir(d->dir);
	d->dir[0] = '\0';
}
