/*
 * outdir.c — atomic report directories (see outdir.h). POSIX, plus Linux's
 * renameat2 (RENAME_EXCHANGE, RENAME_NOREPLACE) where the file system has
 * it, with a two-rename fallback.
 */
#define _GNU_SOURCE
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_LIMIT 3000        /* longest output path accepted, bytes */
#define NAME_LIMIT 255         /* longest name in a directory (NAME_MAX) */
#define MARKER_MAX (1 << 20)   /* a marker is a few hundred bytes */
#define BRIEF 160              /* paths in messages, bytes */
#define SQLITE_PATH_MAX 512    /* SQLite's unix VFS: longest path it opens, + 1 */

/* ---------------------------------------------------------- interrupt --- */

static const volatile sig_atomic_t *interrupt_flag;
static volatile sig_atomic_t open_dirs;

void report_interrupt_watch(const volatile sig_atomic_t *flag) { interrupt_flag = flag; }
bool report_interrupted(void) { return interrupt_flag && *interrupt_flag; }
int report_outdir_open_count(void) { return (int)open_dirs; }

/* ------------------------------------------------------------ helpers --- */

const char *report_brief_path(const char *path, char *buf, size_t n) {
  if (n == 0) return buf;
  size_t len = strlen(path);
  if (len < n || n < 16) {
    snprintf(buf, n, "%s", path);
    return buf;
  }
  size_t head = (n - 4) / 3, start = len - (n - 4 - head);
  while (head > 0 && ((unsigned char)path[head] & 0xC0) == 0x80) head--;
  while (start < len && ((unsigned char)path[start] & 0xC0) == 0x80) start++;
  memcpy(buf, path, head);
  memcpy(buf + head, "...", 3);
  memcpy(buf + head + 3, path + start, len - start + 1);
  return buf;
}

static uint32_t hash32(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static uint64_t fnv64(const void *data, size_t len) {
  const unsigned char *p = data;
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * UINT64_C(0x100000001b3);
  return h;
}

/* The hidden sibling ".BASE.KIND[-PID]", with BASE shortened to a prefix
 * and a hash when the whole would exceed NAME_LIMIT. */
static void aux_name(const char *base, const char *kind, long pid, char *out, size_t n) {
  char suffix[48];
  if (pid > 0) snprintf(suffix, sizeof suffix, "%s-%ld", kind, pid);
  else snprintf(suffix, sizeof suffix, "%s", kind);
  int r = 2 + strlen(base) + strlen(suffix) <= NAME_LIMIT
              ? snprintf(out, n, ".%s.%s", base, suffix)
              : snprintf(out, n, ".%.200s~%08x.%s", base, (unsigned)hash32(base), suffix);
  if (r < 0 || (size_t)r >= n) out[0] = 0;   /* n > NAME_LIMIT: cannot happen */
}

static void aux_path(const report_outdir *o, const char *kind, long pid, char *out,
                     size_t n) {
  char name[NAME_LIMIT + 1];
  aux_name(o->base, kind, pid, name, sizeof name);
  if (snprintf(out, n, "%s/%s", o->parent, name) >= (int)n) out[0] = 0;
}

static void split(const char *path, char *dir, size_t dn, char *base, size_t bn) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) tmp[0] = 0;
  size_t l = strlen(tmp);
  while (l > 1 && tmp[l - 1] == '/') tmp[--l] = 0;
  char *s = strrchr(tmp, '/');
  if (!s) {
    snprintf(dir, dn, ".");
    if (snprintf(base, bn, "%s", tmp) >= (int)bn) base[0] = 0;
  } else if (s == tmp) {
    snprintf(dir, dn, "/");
    if (snprintf(base, bn, "%s", s + 1) >= (int)bn) base[0] = 0;
  } else {
    *s = 0;
    if (snprintf(dir, dn, "%s", tmp) >= (int)dn) dir[0] = 0;
    if (snprintf(base, bn, "%s", s + 1) >= (int)bn) base[0] = 0;
  }
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb; (void)flag; (void)ftw;
  return remove(p);
}

static void rm_rf(const char *path) {
  nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* mkdir -p: create every missing component of `path`. */
static int make_dirs(const char *path) {
  char p[4096];
  if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p) return ENAMETOOLONG;
  for (char *c = p + 1; *c; c++) {
    if (*c != '/') continue;
    *c = 0;
    if (mkdir(p, 0777) != 0 && errno != EEXIST) return errno;
    *c = '/';
  }
  if (mkdir(p, 0777) != 0 && errno != EEXIST) return errno;
  return 0;
}

/* Read a small regular file without following a symbolic link or blocking
 * on a FIFO. NULL when it is not one; the text is NUL-terminated. */
static char *read_small(const char *path, size_t max, size_t *len) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct stat st;
  char *buf = NULL;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= max &&
      (buf = malloc((size_t)st.st_size + 1))) {
    size_t n = 0;
    while (n < (size_t)st.st_size) {
      ssize_t got = read(fd, buf + n, (size_t)st.st_size - n);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      n += (size_t)got;
    }
    buf[n] = 0;
    if (len) *len = n;
  }
  close(fd);
  return buf;
}

static void host_name(char *buf, size_t n) {
  if (gethostname(buf, n) != 0) snprintf(buf, n, "?");
  buf[n - 1] = 0;
  for (char *c = buf; *c; c++)
    if (*c == '\n') *c = '_';
}

/* ------------------------------------------------------------- marker --- */

typedef struct entry {
  char name[NAME_LIMIT + 1];
  bool dir;
  long count;   /* files in a directory */
} entry;

typedef struct marker {
  int version;
  bool complete;
  long pid;
  char host[256];
  entry *e;
  size_t n;
} marker;

/* Parse a marker's text; false when it is not one of ours. */
static bool parse_marker(char *text, marker *m) {
  memset(m, 0, sizeof *m);
  size_t cap = 0;
  int line = 0;
  for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
       l = strtok_r(NULL, "\n", &save), line++) {
    if (line == 0) {
      if (strcmp(l, REPORT_OUTDIR_MAGIC) != 0) return false;
    } else if (line == 1) {
      char tail;
      if (sscanf(l, "version %d%c", &m->version, &tail) != 1 || m->version < 1 ||
          m->version > REPORT_OUTDIR_VERSION)
        return false;
    } else if (strcmp(l, "state complete") == 0) {
      m->complete = true;
    } else if (strcmp(l, "state writing") == 0) {
      m->complete = false;
    } else if (strncmp(l, "pid ", 4) == 0) {
      m->pid = strtol(l + 4, NULL, 10);
    } else if (strncmp(l, "host ", 5) == 0) {
      snprintf(m->host, sizeof m->host, "%s", l + 5);
    } else if (strncmp(l, "file ", 5) == 0 || strncmp(l, "dir ", 4) == 0) {
      if (m->n == cap) {
        size_t nc = cap ? cap * 2 : 16;
        entry *ne = realloc(m->e, nc * sizeof *ne);
        if (!ne) return false;
        m->e = ne;
        cap = nc;
      }
      entry *e = &m->e[m->n];
      memset(e, 0, sizeof *e);
      const char *name = l + 5;
      if (l[0] == 'd') {
        char *end;
        e->dir = true;
        e->count = strtol(l + 4, &end, 10);
        if (end == l + 4 || *end != ' ' || e->count < 0) return false;
        name = end + 1;
      }
      if (!*name || strlen(name) > NAME_LIMIT || strchr(name, '/')) return false;
      snprintf(e->name, sizeof e->name, "%s", name);
      m->n++;
    } else {
      return false;
    }
  }
  return line >= 2;
}

static bool read_marker(const char *dir, marker *m) {
  char p[4400];
  if (snprintf(p, sizeof p, "%s/%s", dir, REPORT_OUTDIR_MARKER) >= (int)sizeof p)
    return false;
  char *text = read_small(p, MARKER_MAX, NULL);
  if (!text) return false;
  bool ok = parse_marker(text, m);
  free(text);
  if (!ok) {
    free(m->e);
    m->e = NULL;
  }
  return ok;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files in directory `p` (every one a regular file), -1 otherwise. */
static long count_files(const char *p) {
  DIR *dp = opendir(p);
  if (!dp) return -1;
  long n = 0;
  for (struct dirent *de; (de = readdir(dp));) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    unsigned char t = de->d_type;
    if (t == DT_UNKNOWN) {
      char q[4400];
      struct stat st;
      snprintf(q, sizeof q, "%s/%s", p, de->d_name);
      t = lstat(q, &st) == 0 && S_ISREG(st.st_mode) ? DT_REG : DT_DIR;
    }
    if (t != DT_REG) {
      n = -1;
      break;
    }
    n++;
  }
  closedir(dp);
  return n;
}

/* Write the marker of directory `dir`: while writing, who writes it; once
 * complete, its entries (sorted, so the same report has the same marker). */
static int write_marker(const char *dir, bool complete, sim_diag *d) {
  char *text = NULL, b[BRIEF];
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  if (!m) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  fprintf(m, "%s\nversion %d\nstate %s\n", REPORT_OUTDIR_MAGIC, REPORT_OUTDIR_VERSION,
          complete ? "complete" : "writing");
  int rc = SIM_OK;
  if (!complete) {
    char host[256];
    host_name(host, sizeof host);
    fprintf(m, "pid %ld\nhost %s\n", (long)getpid(), host);
  } else {
    DIR *dp = opendir(dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    if (!dp) {
      rc = sim_diag_set(d, SIM_ERR_IO, NULL, "cannot read '%s': %s",
                        report_brief_path(dir, b, sizeof b), strerror(errno));
    }
    for (struct dirent *de; !rc && (de = readdir(dp));) {
      if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
          !strcmp(de->d_name, REPORT_OUTDIR_MARKER))
        continue;
      if (n == cap) {
        size_t nc = cap ? cap * 2 : 16;
        char **nn = realloc(names, nc * sizeof *nn);
        if (!nn) { rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory"); break; }
        names = nn;
        cap = nc;
      }
      if (!(names[n] = strdup(de->d_name))) {
        rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
        break;
      }
      n++;
    }
    if (dp) closedir(dp);
    if (!rc) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; !rc && i < n; i++) {
      char p[4400];
      struct stat st;
      snprintf(p, sizeof p, "%s/%s", dir, names[i]);
      if (lstat(p, &st) != 0) continue;
      if (S_ISDIR(st.st_mode)) fprintf(m, "dir %ld %s\n", count_files(p), names[i]);
      else fprintf(m, "file %s\n", names[i]);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
  }
  if (fclose(m) != 0 && !rc) rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  if (!rc) {
    char p[4400];
    snprintf(p, sizeof p, "%s/%s", dir, REPORT_OUTDIR_MARKER);
    rc = report_write_file_atomic(p, text, len, d);
  }
  free(text);
  return rc;
}

bool report_outdir_is_ours(const char *path, char *why, size_t n) {
  struct stat st;
  marker m;
  if (n) why[0] = 0;
  if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
    snprintf(why, n, "not a directory");
    return false;
  }
  if (!read_marker(path, &m)) {
    snprintf(why, n, "no valid %s marker inside", REPORT_OUTDIR_MARKER);
    return false;
  }
  bool ok = m.complete;
  if (!ok) snprintf(why, n, "its %s marker says it is still being written",
                    REPORT_OUTDIR_MARKER);
  DIR *dp = ok ? opendir(path) : NULL;
  if (ok && !dp) {
    snprintf(why, n, "cannot read it: %s", strerror(errno));
    ok = false;
  }
  for (struct dirent *de; ok && (de = readdir(dp));) {
    const char *nm = de->d_name;
    if (!strcmp(nm, ".") || !strcmp(nm, "..") || !strcmp(nm, REPORT_OUTDIR_MARKER))
      continue;
    const entry *e = NULL;
    for (size_t i = 0; i < m.n && !e; i++)
      if (strcmp(m.e[i].name, nm) == 0) e = &m.e[i];
    char p[4400], b[64];
    snprintf(p, sizeof p, "%s/%s", path, nm);
    if (!e) {
      snprintf(why, n, "'%s' is not part of the report", report_brief_path(nm, b, sizeof b));
      ok = false;
    } else if (lstat(p, &st) != 0 || (e->dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))) {
      snprintf(why, n, "'%s' is no longer what the report wrote there",
               report_brief_path(nm, b, sizeof b));
      ok = false;
    } else if (e->dir) {
      long c = count_files(p);
      if (c < 0 || c > e->count) {
        snprintf(why, n, "'%s/' holds files the report did not write",
                 report_brief_path(nm, b, sizeof b));
        ok = false;
      }
    }
  }
  if (dp) closedir(dp);
  free(m.e);
  return ok;
}

/* An empty directory holds nothing to lose. */
static bool is_empty_dir(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  DIR *dp = opendir(path);
  if (!dp) return false;
  bool empty = true;
  for (struct dirent *de; empty && (de = readdir(dp));)
    empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
  closedir(dp);
  return empty;
}

/* ---------------------------------------------------------- leftovers --- */

static bool process_gone(long pid) {
  return pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* ".X.tmp-PID" / ".X.old-PID": the pid, else 0. */
static long leftover_pid(const char *name) {
  if (name[0] != '.') return 0;
  const char *dot = strrchr(name, '.');
  if (!dot || dot == name) return 0;
  if (strncmp(dot, ".tmp-", 5) != 0 && strncmp(dot, ".old-", 5) != 0) return 0;
  char *end;
  long pid = strtol(dot + 5, &end, 10);
  return *end || end == dot + 5 ? 0 : pid;
}

/* Remove the temporary and swapped-out directories of dead jobsim
 * processes of this host in `parent`. A directory whose marker is not
 * ours, or was written on another host, is left alone. */
static void clean_leftovers(const char *parent) {
  DIR *dp = opendir(parent);
  if (!dp) return;
  char host[256];
  host_name(host, sizeof host);
  for (struct dirent *de; (de = readdir(dp));) {
    long pid = leftover_pid(de->d_name);
    if (pid <= 0) continue;
    if (pid == (long)getpid() ? open_dirs > 0 : !process_gone(pid)) continue;
    char p[4400];
    struct stat st;
    marker m;
    if (snprintf(p, sizeof p, "%s/%s", parent, de->d_name) >= (int)sizeof p) continue;
    if (lstat(p, &st) != 0 || !S_ISDIR(st.st_mode) || !read_marker(p, &m)) continue;
    bool mine = m.complete || (m.pid == pid && strcmp(m.host, host) == 0);
    free(m.e);
    if (mine) rm_rf(p);
  }
  closedir(dp);
}

/* --------------------------------------------------------------- lock --- */

/* Take the exclusive lock `path` (created when absent), waiting for
 * another holder. The holder removes the file before releasing it, so after
 * locking, the file must still be the one at `path`. Returns the fd or -1. */
static int take_lock(const char *path, sim_diag *d) {
  char b[BRIEF];
  for (;;) {
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
      sim_diag_set(d, SIM_ERR_IO, NULL, "cannot create the lock '%s': %s",
                   report_brief_path(path, b, sizeof b), strerror(errno));
      return -1;
    }
    while (flock(fd, LOCK_EX) != 0) {
      if (errno == EINTR && !report_interrupted()) continue;
      int e = errno;
      close(fd);
      if (e == EINTR)
        sim_diag_set(d, SIM_ERR_INTR, NULL, "interrupted while waiting for another "
                     "jobsim run to finish writing; no report written");
      else
        sim_diag_set(d, SIM_ERR_IO, NULL, "cannot lock '%s': %s",
                     report_brief_path(path, b, sizeof b), strerror(e));
      return -1;
    }
    struct stat a, p;
    /* (nothing is written into it: a lock file someone linked to another
     * file must not change that file) */
    if (fstat(fd, &a) == 0 && lstat(path, &p) == 0 && a.st_dev == p.st_dev &&
        a.st_ino == p.st_ino)
      return fd;
    close(fd);   /* removed by its last holder: lock the new one */
  }
}

static void drop_lock(int fd, const char *path) {
  if (fd < 0) return;
  unlink(path);
  close(fd);
}

/* -------------------------------------------------------------- begin --- */

/* The path's length and every component's, before anything is created. */
static int check_path(const char *final, sim_diag *d) {
  char b[BRIEF];
  size_t len = strlen(final);
  if (len > PATH_LIMIT)
    return sim_diag_set(d, SIM_ERR_USAGE, NULL,
                        "cannot use '%s' as an output directory: the path is %zu bytes "
                        "long, more than %d", report_brief_path(final, b, sizeof b), len,
                        PATH_LIMIT);
  for (const char *c = final; *c;) {
    while (*c == '/') c++;
    size_t n = strcspn(c, "/");
    if (n > NAME_LIMIT)
      return sim_diag_set(d, SIM_ERR_USAGE, NULL,
                          "cannot use '%s' as an output directory: a name in it is %zu "
                          "bytes long, more than %d", report_brief_path(final, b, sizeof b),
                          n, NAME_LIMIT);
    c += n;
  }
  return SIM_OK;
}

int report_outdir_begin(report_outdir *o, const char *final, sim_diag *d) {
  memset(o, 0, sizeof *o);
  char b[BRIEF], b2[BRIEF], why[300];
  if (!final || !*final)
    return sim_diag_set(d, SIM_ERR_USAGE, NULL, "empty output directory name");
  int rc = check_path(final, d);
  if (rc) return rc;
  snprintf(o->final, sizeof o->final, "%s", final);
  split(final, o->parent, sizeof o->parent, o->base, sizeof o->base);
  if (strcmp(o->base, ".") == 0 || strcmp(o->base, "..") == 0 ||
      strcmp(o->base, "/") == 0 || o->base[0] == 0)
    return sim_diag_set(d, SIM_ERR_USAGE, NULL,
                        "cannot use '%s' as an output directory: name a new "
                        "subdirectory", report_brief_path(final, b, sizeof b));
  aux_path(o, "tmp", (long)getpid(), o->tmp, sizeof o->tmp);
  if (!o->tmp[0]) return sim_diag_set(d, SIM_ERR_USAGE, NULL, "output path too long");
  /* SQLite opens no file whose absolute path is longer than 512 bytes, and
   * every output holds a store: say so now, not after the run */
  char cwd[4096];
  size_t longer = strlen(o->tmp) > strlen(final) ? strlen(o->tmp) : strlen(final);
  size_t abs = longer + strlen("/sweep.sqlite") +
               (final[0] == '/' ? 0 : getcwd(cwd, sizeof cwd) ? strlen(cwd) + 1 : 0);
  if (abs >= SQLITE_PATH_MAX)
    return sim_diag_set(d, SIM_ERR_USAGE, NULL,
                        "cannot use '%s' as an output directory: the store inside it "
                        "would have an absolute path of %zu bytes, and SQLite opens at "
                        "most %d", report_brief_path(final, b, sizeof b), abs,
                        SQLITE_PATH_MAX - 1);
  struct stat st;
  int err = make_dirs(o->parent);
  if (err || stat(o->parent, &st) != 0 || !S_ISDIR(st.st_mode))
    return sim_diag_set(d, SIM_ERR_IO, NULL,
                        "cannot write '%s': cannot create directory '%s': %s",
                        report_brief_path(final, b, sizeof b),
                        report_brief_path(o->parent, b2, sizeof b2),
                        strerror(err ? err : ENOTDIR));
  clean_leftovers(o->parent);
  if (lstat(final, &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      return sim_diag_set(d, SIM_ERR_IO, NULL,
                          "cannot write '%s': it exists and is not a directory",
                          report_brief_path(final, b, sizeof b));
    if (!is_empty_dir(final) && !report_outdir_is_ours(final, why, sizeof why))
      return sim_diag_set(d, SIM_ERR_IO, NULL,
                          "refusing to replace '%s': it is not a jobsim output directory "
                          "(%s); remove it or choose another output directory",
                          report_brief_path(final, b, sizeof b), why);
  }

  rm_rf(o->tmp);   /* leftovers of a crashed run with the same pid */
  open_dirs++;     /* before mkdir: a handler that _exits must not miss it */
  if (mkdir(o->tmp, 0777) != 0) {
    open_dirs--;
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot create '%s': %s",
                        report_brief_path(o->tmp, b, sizeof b), strerror(errno));
  }
  o->open = true;
  if ((rc = write_marker(o->tmp, false, d))) {
    report_outdir_abort(o);
    return rc;
  }
  return SIM_OK;
}

void report_outdir_path(const report_outdir *o, const char *rel, char *buf, size_t n) {
  snprintf(buf, n, "%s/%s", o->tmp, rel);
}

int report_fclose_checked(FILE *f, const char *path, sim_diag *d) {
  int bad = ferror(f);
  int e = errno;
  if (fclose(f) != 0 && !bad) {
    bad = 1;
    e = errno;
  }
  char b[BRIEF];
  if (bad)
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot write '%s': %s",
                        report_brief_path(path, b, sizeof b), strerror(e ? e : EIO));
  return SIM_OK;
}

/* A new file: never through a symbolic link or into an existing file (a
 * link planted at a temporary name in a shared directory would otherwise
 * have jobsim overwrite its target). */
static FILE *create_new(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0) return NULL;
  FILE *f = fdopen(fd, "wb");
  if (!f) {
    int e = errno;
    close(fd);
    unlink(path);
    errno = e;
  }
  return f;
}

static int write_all(const char *path, const void *data, size_t len, sim_diag *d) {
  char b[BRIEF];
  FILE *f = create_new(path);
  if (!f)
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot create '%s': %s",
                        report_brief_path(path, b, sizeof b), strerror(errno));
  if (len && fwrite(data, 1, len, f) != len) {
    int e = errno;
    fclose(f);
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot write '%s': %s",
                        report_brief_path(path, b, sizeof b), strerror(e ? e : EIO));
  }
  return report_fclose_checked(f, path, d);
}

int report_outdir_write(const report_outdir *o, const char *rel, const void *data,
                        size_t len, sim_diag *d) {
  char p[4200];
  report_outdir_path(o, rel, p, sizeof p);
  return write_all(p, data, len, d);
}

int report_outdir_mkdir(const report_outdir *o, const char *rel, sim_diag *d) {
  char p[4200], b[BRIEF];
  report_outdir_path(o, rel, p, sizeof p);
  if (mkdir(p, 0777) != 0)
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot create '%s': %s",
                        report_brief_path(p, b, sizeof b), strerror(errno));
  return SIM_OK;
}

/* ------------------------------------------------------------- commit --- */

static bool replaceable(const char *path) {
  char why[8];
  return is_empty_dir(path) || report_outdir_is_ours(path, why, sizeof why);
}

static void closed(report_outdir *o) {
  o->open = false;
  open_dirs--;
}

/* Put tmp in place under the lock. */
static int place(report_outdir *o, sim_diag *d) {
  char b[BRIEF], why[300];
  const char *fin = report_brief_path(o->final, b, sizeof b);
  struct stat st;
  for (int tries = 0; tries < 3; tries++) {
    if (lstat(o->final, &st) != 0) {
      if (errno != ENOENT)
        return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot write '%s': %s", fin,
                            strerror(errno));
      if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->final, RENAME_NOREPLACE) == 0) {
        closed(o);
        return SIM_OK;
      }
      if (errno == EEXIST) continue;   /* it appeared just now: check it */
      if ((errno == EINVAL || errno == ENOSYS) && rename(o->tmp, o->final) == 0) {
        closed(o);
        return SIM_OK;
      }
      return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot move the report into '%s': %s",
                          fin, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
      return sim_diag_set(d, SIM_ERR_IO, NULL,
                          "cannot write '%s': it exists and is not a directory (it "
                          "appeared during the run); nothing replaced", fin);
    if (!is_empty_dir(o->final) && !report_outdir_is_ours(o->final, why, sizeof why))
      return sim_diag_set(d, SIM_ERR_IO, NULL,
                          "refusing to replace '%s': it is not a jobsim output directory "
                          "(%s); it appeared during the run, nothing replaced", fin, why);
    /* Swap: the path never disappears; what comes out must be what was
     * checked, else it goes back. */
    struct stat got;
    if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->final, RENAME_EXCHANGE) == 0) {
      if (lstat(o->tmp, &got) == 0 && got.st_dev == st.st_dev && got.st_ino == st.st_ino &&
          replaceable(o->tmp)) {
        closed(o);
        rm_rf(o->tmp);   /* the old report, now at the temporary name */
        return SIM_OK;
      }
      if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->final, RENAME_EXCHANGE) != 0) {
        char b2[BRIEF];
        closed(o);   /* tmp holds what was at final: never delete it */
        return sim_diag_set(d, SIM_ERR_IO, NULL,
                            "'%s' changed while the report was put in place; what was "
                            "there is now '%s'", fin,
                            report_brief_path(o->tmp, b2, sizeof b2));
      }
      continue;   /* changed under us: check again */
    }
    if (errno != EINVAL && errno != ENOSYS)
      return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot replace '%s': %s", fin,
                          strerror(errno));
    /* no RENAME_EXCHANGE here: through ".X.old-PID" */
    char old[4400];
    aux_path(o, "old", (long)getpid(), old, sizeof old);
    if (rename(o->final, old) != 0)
      return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot replace '%s': %s", fin,
                          strerror(errno));
    if (lstat(old, &got) != 0 || got.st_dev != st.st_dev || got.st_ino != st.st_ino ||
        !replaceable(old)) {
      rename(old, o->final);
      continue;
    }
    if (rename(o->tmp, o->final) != 0) {
      int e = errno;
      rename(old, o->final);
      return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot move the report into '%s': %s",
                          fin, strerror(e));
    }
    closed(o);
    rm_rf(old);
    return SIM_OK;
  }
  return sim_diag_set(d, SIM_ERR_IO, NULL,
                      "'%s' kept changing while the report was put in place; nothing "
                      "replaced", fin);
}

int report_outdir_commit(report_outdir *o, sim_diag *d) {
  if (!o->open) return SIM_OK;
  if (report_interrupted())
    return sim_diag_set(d, SIM_ERR_INTR, NULL, "interrupted; no report written");
  int rc = write_marker(o->tmp, true, d);
  if (rc) return rc;
  char lock[4400];
  aux_path(o, "lock", 0, lock, sizeof lock);
  int fd = take_lock(lock, d);
  if (fd < 0) return d ? d->code : SIM_ERR_IO;
  rc = place(o, d);
  drop_lock(fd, lock);
  return rc;
}

void report_outdir_abort(report_outdir *o) {
  if (o && o->open) {
    rm_rf(o->tmp);
    closed(o);
  }
}

/* ------------------------------------------------------ single files --- */

int report_write_file_atomic(const char *path, const void *data, size_t len,
                             sim_diag *d) {
  char tmp[4400], dir[4096], base[256], b[BRIEF];
  split(path, dir, sizeof dir, base, sizeof base);
  char name[NAME_LIMIT + 1];
  aux_name(base, "tmp", (long)getpid(), name, sizeof name);
  snprintf(tmp, sizeof tmp, "%s/%s", dir, name);
  unlink(tmp);   /* a crashed run's, or a planted link (unlink never follows it) */
  int rc = write_all(tmp, data, len, d);
  if (rc) {
    remove(tmp);
    return rc;
  }
  if (rename(tmp, path) != 0) {
    int e = errno;
    remove(tmp);
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot write '%s': %s",
                        report_brief_path(path, b, sizeof b), strerror(e));
  }
  return SIM_OK;
}

/* The sidecar line for `name` holding these bytes. */
static void owned_line(const char *name, const void *data, size_t len, char *buf, size_t n) {
  snprintf(buf, n, "file %zu %016llx %s\n", len, (unsigned long long)fnv64(data, len), name);
}

int report_outdir_write_owned(const char *dir, const char *name, const void *data,
                              size_t len, sim_diag *d) {
  char path[4400], side[4400], lock[4400], sname[NAME_LIMIT + 1], b[BRIEF];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  aux_name(name, "lock", 0, sname, sizeof sname);
  snprintf(lock, sizeof lock, "%s/%s", dir, sname);
  aux_name(name, "jobsim", 0, sname, sizeof sname);
  snprintf(side, sizeof side, "%s/%s", dir, sname);
  int fd = take_lock(lock, d);
  if (fd < 0) return d ? d->code : SIM_ERR_IO;
  int rc = SIM_OK;
  char head[128], now[600], next[600], *text = NULL;
  snprintf(head, sizeof head, "%s\nversion %d\n", REPORT_OUTDIR_MAGIC, REPORT_OUTDIR_VERSION);
  owned_line(name, data, len, next, sizeof next);
  now[0] = 0;
  struct stat st;
  if (lstat(path, &st) == 0) {
    size_t have_len = 0;
    char *have = S_ISREG(st.st_mode) ? read_small(path, (size_t)256 << 20, &have_len) : NULL;
    char *rec = read_small(side, 4096, NULL);
    if (have) owned_line(name, have, have_len, now, sizeof now);
    /* the sidecar lists the bytes jobsim wrote (two lines while a write
     * is under way): the file must be one of them */
    if (!have || !rec || strncmp(rec, head, strlen(head)) != 0 || !strstr(rec, now))
      rc = sim_diag_set(d, SIM_ERR_IO, NULL,
                        "not replacing '%s': jobsim did not write it, or it changed "
                        "since (no matching %s beside it)",
                        report_brief_path(path, b, sizeof b), sname);
    free(have);
    free(rec);
  }
  /* sidecar with both the old and the new bytes, the file, sidecar with the
   * new ones: a crash at any point leaves a pair that matches */
  size_t tl = strlen(head) + strlen(now) + strlen(next) + 1;
  if (!rc && !(text = malloc(tl))) rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  if (!rc) {
    snprintf(text, tl, "%s%s%s", head, now, next);
    rc = report_write_file_atomic(side, text, strlen(text), d);
  }
  if (!rc) rc = report_write_file_atomic(path, data, len, d);
  if (!rc) {
    snprintf(text, tl, "%s%s", head, next);
    rc = report_write_file_atomic(side, text, strlen(text), d);
  }
  free(text);
  drop_lock(fd, lock);
  return rc;
}

int report_outdir_write_owned_by(const char *dir, const char *name,
                                 int (*writer)(const char *path, void *ud, sim_diag *d),
                                 void *ud, sim_diag *d) {
  char tmp[4400], tname[NAME_LIMIT + 1], b[BRIEF];
  aux_name(name, "tmp", (long)getpid(), tname, sizeof tname);
  snprintf(tmp, sizeof tmp, "%s/%s", dir, tname);
  int rc = writer(tmp, ud, d);
  size_t len = 0;
  char *data = rc ? NULL : read_small(tmp, (size_t)256 << 20, &len);
  remove(tmp);
  if (rc) return rc;
  if (!data)
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot read back '%s'",
                        report_brief_path(tmp, b, sizeof b));
  rc = report_outdir_write_owned(dir, name, data, len, d);
  free(data);
  return rc;
}
