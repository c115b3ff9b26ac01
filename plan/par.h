/*
 * par.h — processes: the optional MPI layer (build switch JOBSIM_MPI). When
 * jobsim runs under `mpirun -np N`, every rank runs the same command; the
 * replication runner (reps.h) gives each rank a contiguous share of the
 * replications and all-gathers the results, so every rank holds every
 * result and takes the same decisions; only rank 0 writes output. Without
 * JOBSIM_MPI, or when not started by mpirun, there is one rank.
 *
 * MPI's state is process-wide by nature; it is set up only from main()
 * (plan_par_init / plan_par_finalize), as conventions.md asks of library
 * globals.
 *
 * Ownership: buffers are the caller's.
 */
#ifndef JOBSIM_PLAN_PAR_H
#define JOBSIM_PLAN_PAR_H

#include <stdbool.h>
#include <stddef.h>
#include "sim.h"

/* Start MPI when the process was launched by mpirun (OpenMPI, PMI or PMIx
 * environment present) and jobsim was built with JOBSIM_MPI; otherwise do
 * nothing. Returns SIM_OK or SIM_ERR_IO. */
int plan_par_init(int *argc, char ***argv);
void plan_par_finalize(void);
bool plan_par_compiled(void);   /* built with JOBSIM_MPI */
bool plan_par_active(void);     /* MPI initialised, more than zero ranks */
int plan_par_rank(void);        /* 0 without MPI */
int plan_par_size(void);        /* 1 without MPI */
/* Ranks sharing this machine (for the default thread count); 1 without MPI. */
int plan_par_local_size(void);

/* Every rank contributes bytes [off[r], off[r] + len[r]) of buf (its own
 * share, already filled); afterwards every rank has all of buf. No-op with
 * one rank. */
int plan_par_allgather(void *buf, const size_t *off, const size_t *len);
/* Smallest value over ranks. */
int plan_par_min_u64(uint64_t *v);
/* Copy `n` bytes at p from rank `root` to every rank. */
int plan_par_bcast(void *p, size_t n, int root);

#endif
