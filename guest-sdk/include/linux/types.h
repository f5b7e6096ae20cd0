/* SPDX-License-Identifier: MIT */
/*
 * The few fixed-width types of <linux/types.h> that the uapi headers use,
 * for freestanding 32-bit guests built without the host's kernel headers.
 */
#ifndef _DENALI_SDK_LINUX_TYPES_H
#define _DENALI_SDK_LINUX_TYPES_H

typedef signed char		__s8;
typedef unsigned char		__u8;
typedef signed short		__s16;
typedef unsigned short		__u16;
typedef signed int		__s32;
typedef unsigned int		__u32;
typedef signed long long	__s64;
typedef unsigned long long	__u64;

typedef __u16			__le16;
typedef __u16			__be16;
typedef __u32			__le32;
typedef __u32			__be32;
typedef __u64			__le64;
typedef __u64			__be64;

#endif /* _DENALI_SDK_LINUX_TYPES_H */
