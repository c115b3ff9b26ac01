/*
 * reply.h — what jobsim serve answers: a status, a JSON body, and for
 * errors the AWS rest-json error shape: header `x-amzn-ErrorType: NAME` and
 * body {"message": "..."}, with the HTTP status the botocore models give
 * each error shape (ResourceNotFound 404, InvalidRequest 400, ...). Both
 * planes share the table except ThrottlingException (400 on the control
 * plane, 429 on the data plane).
 *
 * Ownership: a serve_reply owns its body (serve_reply_release).
 */
#ifndef JOBSIM_SERVE_REPLY_H
#define JOBSIM_SERVE_REPLY_H

#include <stdbool.h>
#include <stddef.h>

typedef enum serve_plane {
  SERVE_PLANE_IOT,         /* control plane, signing name "iot" */
  SERVE_PLANE_JOBS_DATA,   /* device data plane, "iot-jobs-data" */
  SERVE_PLANE_JOBSIM       /* jobsim's own endpoints (/jobsim/...) */
} serve_plane;

#define SERVE_ERR_MAP(XX)                                                     \
  XX(INVALID_REQUEST, "InvalidRequestException", 400)                         \
  XX(NOT_FOUND, "ResourceNotFoundException", 404)                             \
  XX(ALREADY_EXISTS, "ResourceAlreadyExistsException", 409)                   \
  XX(CONFLICT, "ConflictException", 409)                                      \
  XX(VERSION_CONFLICT, "VersionConflictException", 409)                       \
  XX(INVALID_STATE, "InvalidStateTransitionException", 409)                   \
  XX(LIMIT, "LimitExceededException", 410)                                    \
  XX(TERMINAL_STATE, "TerminalStateException", 410)                           \
  XX(THROTTLING, "ThrottlingException", 400)                                  \
  XX(UNAVAILABLE, "ServiceUnavailableException", 503)                         \
  XX(INTERNAL, "InternalFailureException", 500)                               \
  XX(INVALID_SIGNATURE, "InvalidSignatureException", 403)                     \
  XX(INCOMPLETE_SIGNATURE, "IncompleteSignatureException", 403)               \
  XX(UNRECOGNIZED_CLIENT, "UnrecognizedClientException", 403)                 \
  XX(MISSING_TOKEN, "MissingAuthenticationTokenException", 403)               \
  XX(ACCESS_DENIED, "AccessDeniedException", 403)                             \
  XX(TOO_LARGE, "RequestEntityTooLargeException", 413)                        \
  XX(UNKNOWN_OPERATION, "UnknownOperationException", 404)                     \
  XX(NOT_IMPLEMENTED, "NotImplementedException", 501)

typedef enum serve_err {
#define SERVE_ERR_ENUM(id, name, status) SERVE_ERR_##id,
  SERVE_ERR_MAP(SERVE_ERR_ENUM)
#undef SERVE_ERR_ENUM
  SERVE_ERR_COUNT
} serve_err;

typedef struct serve_reply {
  int status;              /* HTTP status */
  char *body;              /* JSON text, heap; NULL for an empty body */
  size_t len;
  char error_type[48];     /* x-amzn-ErrorType, "" on success */
} serve_reply;

void serve_reply_release(serve_reply *rp);
/* 200 (or `status`) with `body` (ownership passes to rp; NULL: out of
 * memory, answered as InternalFailureException). */
void serve_reply_json(serve_reply *rp, int status, char *body, size_t len);
/* An AWS-shaped error. The message is sanitised to printable ASCII. */
void serve_reply_error(serve_reply *rp, serve_plane plane, serve_err e,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

const char *serve_err_name(serve_err e);
int serve_err_status(serve_err e, serve_plane plane);

#endif
