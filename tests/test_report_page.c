/*
 * test_report_page.c — the report page, DIR/index.html:
 *  - it is one self-contained file: no scripts, no external stylesheets, no
 *    network references; it holds the scenario description, the job
 *    configuration, the story, the snapshot table and the final describe-job,
 *    and (gnuplot on PATH) the five plots as PNG data URIs;
 *  - rendered in headless Chromium (only when /usr/bin/chromium exists; the
 *    check is skipped otherwise, a failure under CI=true), the
 *    page yields a 1280x2000 screenshot much larger than a blank page's.
 *    The screenshot is kept as report-page-screenshot.png in the build
 *    directory for a person to look at.
 */
#define _XOPEN_SOURCE 700
#include "test_common.h"
#include "test_util.h"

#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plot.h"

#ifndef JOBSIM_EXE
#error "JOBSIM_EXE must name the jobsim executable"
#endif

#define CHROMIUM "/usr/bin/chromium"

bool test_update_golden;

static char g_dir[512];

static int rm_cb(const char *p, const struct stat *sb, int f, struct FTW *w) {
  (void)sb; (void)f; (void)w;
  return remove(p);
}
static void rm_rf(const char *p) { nftw(p, rm_cb, 16, FTW_DEPTH | FTW_PHYS); }

/* Run `prog` with argv, output to `log`, killed after `limit_s` seconds.
 * Returns the exit status, or -1 when it did not exit normally in time. */
static int spawn(const char *prog, char *const argv[], const char *log, int limit_s) {
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fi = open("/dev/null", O_RDONLY);
    if (fd < 0 || fi < 0 || dup2(fi, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
      _exit(126);
    setpgid(0, 0);   /* chromium's helpers go with it if killed */
    execv(prog, argv);
    _exit(127);
  }
  for (int waited = 0; waited < limit_s * 10; waited++) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
  }
  kill(-pid, SIGKILL);
  waitpid(pid, NULL, 0);
  return -1;
}

static char g_report[700];

static void make_report(void) {
  if (g_report[0]) return;
  snprintf(g_report, sizeof g_report, "%s/bad-release-abort", g_dir);
  char sc[1024], log[700];
  snprintf(sc, sizeof sc, "%s/scenarios/bad-release-abort.json", JOBSIM_SOURCE_DIR);
  snprintf(log, sizeof log, "%s/run.log", g_dir);
  char *argv[] = {(char *)"jobsim", (char *)"run", (char *)"--quiet", sc, (char *)"--out",
                  g_report, NULL};
  assert_int_equal(spawn(JOBSIM_EXE, argv, log, 120), 0);
}

static size_t count(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
  return n;
}

static void test_page_is_self_contained(void **state) {
  (void)state;
  make_report();
  char p[900];
  snprintf(p, sizeof p, "%s/index.html", g_report);
  char *html = test_read_file(p, NULL);
  assert_non_null(html);
  assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
  assert_null(strstr(html, "<script"));
  assert_null(strstr(html, "<link"));
  assert_null(strstr(html, "src=\"http"));
  assert_null(strstr(html, "href=\"http"));
  assert_null(strstr(html, "url("));
  assert_null(strstr(html, "@import"));
  assert_non_null(strstr(html, "A bad release stopped by an abort rule."));
  assert_non_null(strstr(html, "<h2>Job configuration</h2>"));
  assert_non_null(strstr(html, "cancel the job when ALL failures reach 5% of executed"));
  assert_non_null(strstr(html, "<h2>The story (events.log)</h2>"));
  assert_non_null(strstr(html, "abort: criterion 0 (ALL) fired"));
  assert_non_null(strstr(html, "<h2>Snapshots</h2>"));
  assert_non_null(strstr(html, "<h2>Final describe-job</h2>"));
  assert_non_null(strstr(html, "&quot;status&quot;: &quot;CANCELED&quot;"));
  char gp[4096];
  if (report_plot_find_gnuplot(gp, sizeof gp)) {
    assert_int_equal(count(html, "<img alt="), 5);
    assert_int_equal(count(html, "src=\"data:image/png;base64,iVBORw0KGgo"), 5);
  } else {
    free(html);
    test_skip("gnuplot not on PATH: the page's five plots");
  }
  free(html);
}

/* Width and height from a PNG's IHDR chunk. */
static bool png_size(const char *path, uint32_t *w, uint32_t *h, size_t *bytes) {
  size_t len = 0;
  char *b = test_read_file(path, &len);
  if (!b || len < 24 || memcmp(b, "\x89PNG\r\n\x1a\n", 8) != 0) {
    free(b);
    return false;
  }
  const unsigned char *u = (const unsigned char *)b;
  *w = (uint32_t)u[16] << 24 | (uint32_t)u[17] << 16 | (uint32_t)u[18] << 8 | u[19];
  *h = (uint32_t)u[20] << 24 | (uint32_t)u[21] << 16 | (uint32_t)u[22] << 8 | u[23];
  *bytes = len;
  free(b);
  return true;
}

static int screenshot(const char *html, const char *png) {
  char profile[700], shot[800], url[1200], log[700];
  snprintf(profile, sizeof profile, "%s/chromium-XXXXXX", g_dir);
  assert_non_null(mkdtemp(profile));
  snprintf(shot, sizeof shot, "--screenshot=%s", png);
  snprintf(url, sizeof url, "file://%s", html);
  snprintf(log, sizeof log, "%s/chromium.log", g_dir);
  char udd[800];
  snprintf(udd, sizeof udd, "--user-data-dir=%s", profile);
  char *argv[] = {(char *)"chromium", (char *)"--headless", (char *)"--no-sandbox",
                  (char *)"--disable-gpu", (char *)"--disable-background-networking",
                  (char *)"--disable-component-update", (char *)"--disable-sync",
                  (char *)"--no-first-run", udd, shot, (char *)"--window-size=1280,2000",
                  url, NULL};
  int rc = spawn(CHROMIUM, argv, log, 120);
  rm_rf(profile);
  return rc;
}

static void test_page_in_chromium(void **state) {
  (void)state;
  if (access(CHROMIUM, X_OK) != 0)
    test_skip("%s not installed (scripts/setup.sh --chromium): screenshot check", CHROMIUM);
  make_report();
  char html[900], png[900], blank_html[900], blank_png[900];
  snprintf(html, sizeof html, "%s/index.html", g_report);
  snprintf(png, sizeof png, "%s/report-page-screenshot.png", JOBSIM_BINARY_DIR);
  snprintf(blank_html, sizeof blank_html, "%s/blank.html", g_dir);
  snprintf(blank_png, sizeof blank_png, "%s/blank.png", g_dir);
  FILE *f = fopen(blank_html, "w");
  assert_non_null(f);
  fputs("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>blank</title></head>"
        "<body></body></html>\n", f);
  fclose(f);
  remove(png);
  assert_int_equal(screenshot(blank_html, blank_png), 0);
  assert_int_equal(screenshot(html, png), 0);
  uint32_t w = 0, h = 0, bw = 0, bh = 0;
  size_t bytes = 0, blank = 0;
  assert_true(png_size(blank_png, &bw, &bh, &blank));
  assert_true(png_size(png, &w, &h, &bytes));
  fprintf(stderr, "# screenshot %ux%u, %zu bytes (blank page: %zu bytes); kept as %s\n", w,
          h, bytes, blank, png);
  assert_int_equal(w, 1280);
  assert_int_equal(h, 2000);
  assert_true(bytes > 10 * blank);
  assert_true(bytes > 50000);
}

int main(int argc, char **argv) {
  test_parse_args(argc, argv);
  snprintf(g_dir, sizeof g_dir, "%s/report-page-%ld", JOBSIM_BINARY_DIR, (long)getpid());
  rm_rf(g_dir);
  if (mkdir(g_dir, 0777) != 0) {
    perror(g_dir);
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_page_is_self_contained),
      cmocka_unit_test(test_page_in_chromium),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  if (rc == 0) rm_rf(g_dir);
  return rc;
}
