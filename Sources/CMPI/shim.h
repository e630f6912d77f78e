#ifndef VITC_CMPI_SHIM_H
#define VITC_CMPI_SHIM_H
#include <mpi.h>

// Open MPI's handles are macros over its globals (&ompi_mpi_comm_world...), which Swift cannot import.
static inline MPI_Comm vitc_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype vitc_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype vitc_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype vitc_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Op vitc_mpi_sum(void) { return MPI_SUM; }
static inline void *vitc_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline int vitc_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
#endif
