#!/usr/bin/env bash
# The MPI build: install OpenMPI (only here), build with -DJOBSIM_MPI=ON
# (-Werror) and run the MPI test: `mpirun -np 2 jobsim sweep|plan` must give
# the same bytes as one process. Everything stays on this machine: loopback
# transports only (--mca btl self,vader), no single-copy mechanism (fails in
# containers), root allowed (CI runs as root), oversubscription allowed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --mpi
dir=build-mpi
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJOBSIM_WERROR=ON \
  -DJOBSIM_MPI=ON >/dev/null
cmake --build "$dir" -j"$(nproc)" --target jobsim test_plan_cli
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "$dir" && ctest --output-on-failure -L mpi
