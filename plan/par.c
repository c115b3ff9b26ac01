/*
 * par.c — MPI when built with JOBSIM_MPI, one rank otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include "par.h"

#include <stdlib.h>
#include <string.h>

#ifdef JOBSIM_MPI
#include <mpi.h>

static bool launched_by_mpirun(void) {
  static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK",
                                     "MPI_LOCALNRANKS", NULL};
  for (size_t i = 0; vars[i]; i++)
    if (getenv(vars[i])) return true;
  return false;
}

int plan_par_init(int *argc, char ***argv) {
  if (!launched_by_mpirun()) return SIM_OK;
  return MPI_Init(argc, argv) == MPI_SUCCESS ? SIM_OK : SIM_ERR_IO;
}

void plan_par_finalize(void) {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  if (init && !fin) MPI_Finalize();
}

bool plan_par_compiled(void) { return true; }

bool plan_par_active(void) {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  return init && !fin;
}

int plan_par_rank(void) {
  int r = 0;
  if (plan_par_active()) MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int plan_par_size(void) {
  int s = 1;
  if (plan_par_active()) MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

int plan_par_local_size(void) {
  if (!plan_par_active()) return 1;
  MPI_Comm local;
  int s = 1;
  if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL,
                          &local) != MPI_SUCCESS)
    return 1;
  MPI_Comm_size(local, &s);
  MPI_Comm_free(&local);
  return s;
}

/* MPI counts are int: move large shares in chunks of at most 1 GiB. */
int plan_par_allgather(void *buf, const size_t *off, const size_t *len) {
  int size = plan_par_size();
  if (size <= 1) return SIM_OK;
  const size_t chunk = (size_t)1 << 30;
  for (int r = 0; r < size; r++)
    for (size_t done = 0; done < len[r]; done += chunk) {
      size_t n = len[r] - done < chunk ? len[r] - done : chunk;
      if (MPI_Bcast((char *)buf + off[r] + done, (int)n, MPI_BYTE, r, MPI_COMM_WORLD) !=
          MPI_SUCCESS)
        return SIM_ERR_IO;
    }
  return SIM_OK;
}

int plan_par_min_u64(uint64_t *v) {
  if (plan_par_size() <= 1) return SIM_OK;
  uint64_t in = *v;
  return MPI_Allreduce(&in, v, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD) == MPI_SUCCESS
             ? SIM_OK : SIM_ERR_IO;
}

int plan_par_bcast(void *p, size_t n, int root) {
  if (plan_par_size() <= 1) return SIM_OK;
  return MPI_Bcast(p, (int)n, MPI_BYTE, root, MPI_COMM_WORLD) == MPI_SUCCESS
             ? SIM_OK : SIM_ERR_IO;
}

#else   /* one process */

int plan_par_init(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return SIM_OK;
}
void plan_par_finalize(void) {}
bool plan_par_compiled(void) { return false; }
bool plan_par_active(void) { return false; }
int plan_par_rank(void) { return 0; }
int plan_par_size(void) { return 1; }
int plan_par_local_size(void) { return 1; }
int plan_par_allgather(void *buf, const size_t *off, const size_t *len) {
  (void)buf;
  (void)off;
  (void)len;
  return SIM_OK;
}
int plan_par_min_u64(uint64_t *v) {
  (void)v;
  return SIM_OK;
}
int plan_par_bcast(void *p, size_t n, int root) {
  (void)p;
  (void)n;
  (void)root;
  return SIM_OK;
}

#endif
