/*
 * planout.h — the planner's output helpers that tests reach: label
 * placement for the front plot, and the sentence defining the deadline
 * measure.
 *
 * Label placement works in pixels of the plot area (origin bottom left).
 * Each label is tried at growing distances in eight directions around its
 * point; the first box inside the area that overlaps no fixed box, no
 * point's marker (8 px square) and no label placed before is taken. Labels
 * are placed in the order given (most important first). A label placed
 * beyond the second ring gets a leader line.
 */
#ifndef JOBSIM_PLAN_PLANOUT_H
#define JOBSIM_PLAN_PLANOUT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct box_px { double x0, y0, x1, y1; } box_px;
typedef struct plan_label_in { double x, y, w, h; } plan_label_in;   /* point, box size */
typedef struct plan_label_out {
  bool placed;
  bool leader;
  double x, y;                 /* bottom-left corner of the box */
} plan_label_out;

/* Returns how many labels found no place, -1 out of memory. */
int plan_place_labels(const plan_label_in *in, size_t n, const box_px *fixed, size_t nfixed,
                      double w, double h, plan_label_out *out);

struct plan_result;
/* "the first instant 99 % of the 5,000 targeted things (4,950) have finished: ..." */
void plan_deadline_explain(const struct plan_result *r, char *b, size_t n);

#endif
