/* SPDX-License-Identifier: MIT */
/*
 * Error numbers, Linux's values: the kernel's hypercalls return them
 * negated, and so do the SDK's own calls. There is no errno variable.
 */
#ifndef _DENALI_ERRNO_H
#define _DENALI_ERRNO_H

#define ENOENT		2
#define EINTR		4
#define EIO		5
#define ENODEV		19
#define ENOTDIR		20
#define EISDIR		21
#define EBADF		9
#define EAGAIN		11
#define ENOMEM		12
#define EFAULT		14
#define EBUSY		16
#define EINVAL		22
#define EMFILE		24
#define ENOSPC		28
#define EROFS		30
#define EPIPE		32
#define ENAMETOOLONG	36
#define ENOSYS		38
#define ELOOP		40
#define ENOTSOCK	88
#define EMSGSIZE	90
#define EPROTOTYPE	91
#define EOPNOTSUPP	95
#define EADDRINUSE	98
#define EADDRNOTAVAIL	99
#define ENETDOWN	100
#define ENETUNREACH	101
#define ECONNABORTED	103
#define ECONNRESET	104
#define EISCONN		106
#define ENOTCONN	107
#define ETIMEDOUT	110
#define ECONNREFUSED	111
#define EHOSTUNREACH	113
#define EALREADY	114

#endif /* _DENALI_ERRNO_H */
