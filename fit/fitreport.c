#include "fitreport.h"
int fit_report_write(const fit_job *j, const char *dir, const char *scenario_text,
                     size_t scenario_len, bool plots, const char *version_info,
                     char *plots_note, size_t n, sim_diag *d) {
  (void)j; (void)dir; (void)scenario_text; (void)scenario_len; (void)plots;
  (void)version_info; (void)plots_note; (void)n;
  return sim_diag_set(d, SIM_ERR_USAGE, NULL, "--report: not written yet");
}
