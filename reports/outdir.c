/*
 * outdir.c — atomic report directories (see outdir.h). POSIX only.
 */
#define _XOPEN_SOURCE 700
#include "outdir.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static bool is_jobsim_dir(const char *path) {
  char m[4200];
  if (snprintf(m, sizeof m, "%s/%s", path, REPORT_MARKER) >= (int)sizeof m) return false;
  return access(m, F_OK) == 0;
}

int report_outdir_begin(report_outdir *o, const char *final, sim_diag *d) {
  memset(o, 0, sizeof *o);
  if (!final || !*final)
    return sim_diag_set(d, SIM_ERR_USAGE, NULL, "empty output directory name");
  snprintf(o->final, sizeof o->final, "%s", final);
  char dir[4096], base[1024];
  split(final, dir, sizeof dir, base, sizeof base);
  if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || strcmp(base, "/") == 0 ||
      base[0] == 0)
    return sim_diag_set(d, SIM_ERR_USAGE, NULL,
                        "cannot use '%s' as an output directory: name a new "
                        "subdirectory", final);
  struct stat st;
  int err = make_dirs(dir);
  if (err || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return sim_diag_set(d, SIM_ERR_IO, NULL,
                        "cannot write '%s': cannot create directory '%s': %s", final,
                        dir, strerror(err ? err : ENOTDIR));
  if (lstat(final, &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      return sim_diag_set(d, SIM_ERR_IO, NULL,
                          "cannot write '%s': it exists and is not a directory", final);
    if (!is_jobsim_dir(final) && rmdir(final) != 0)
      return sim_diag_set(d, SIM_ERR_IO, NULL,
                          "refusing to replace '%s': it exists and is not a jobsim "
                          "output directory (no %s inside)", final, REPORT_MARKER);
  }
  if (strlen(final) > 3000)
    return sim_diag_set(d, SIM_ERR_USAGE, NULL, "output path too long");
  if (snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp-%ld", dir, base, (long)getpid()) >=
      (int)sizeof o->tmp)
    return sim_diag_set(d, SIM_ERR_USAGE, NULL, "output path too long");
  rm_rf(o->tmp);   /* leftovers of a crashed run with the same pid */
  if (mkdir(o->tmp, 0777) != 0)
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot create '%s': %s", o->tmp,
                        strerror(errno));
  o->open = true;
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
  if (bad)
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot write '%s': %s", path,
                        strerror(e ? e : EIO));
  return SIM_OK;
}

static int write_all(const char *path, const void *data, size_t len, sim_diag *d) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot create '%s': %s", path,
                        strerror(errno));
  if (len && fwrite(data, 1, len, f) != len) {
    int e = errno;
    fclose(f);
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot write '%s': %s", path,
                        strerror(e ? e : EIO));
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
  char p[4200];
  report_outdir_path(o, rel, p, sizeof p);
  if (mkdir(p, 0777) != 0)
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot create '%s': %s", p,
                        strerror(errno));
  return SIM_OK;
}

int report_outdir_commit(report_outdir *o, sim_diag *d) {
  if (!o->open) return SIM_OK;
  char dir[4096], base[1024], old[4200];
  split(o->final, dir, sizeof dir, base, sizeof base);
  if (snprintf(old, sizeof old, "%s/.%s.old-%ld", dir, base, (long)getpid()) >=
      (int)sizeof old)
    return sim_diag_set(d, SIM_ERR_USAGE, NULL, "output path too long");
  struct stat st;
  bool replacing = lstat(o->final, &st) == 0;
  if (replacing && rename(o->final, old) != 0)
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot replace '%s': %s", o->final,
                        strerror(errno));
  if (rename(o->tmp, o->final) != 0) {
    int e = errno;
    if (replacing) rename(old, o->final);
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot move the report into '%s': %s",
                        o->final, strerror(e));
  }
  o->open = false;
  if (replacing) rm_rf(old);
  return SIM_OK;
}

void report_outdir_abort(report_outdir *o) {
  if (o && o->open) {
    rm_rf(o->tmp);
    o->open = false;
  }
}

int report_write_file_atomic(const char *path, const void *data, size_t len,
                             sim_diag *d) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
  int rc = write_all(tmp, data, len, d);
  if (rc) {
    remove(tmp);
    return rc;
  }
  if (rename(tmp, path) != 0) {
    int e = errno;
    remove(tmp);
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot write '%s': %s", path,
                        strerror(e));
  }
  return SIM_OK;
}
