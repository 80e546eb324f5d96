/**
 * BPF array and hash maps (kernel/bpf/arraymap.c, hashtab.c, syscall.c). Filled by the BPF issue.
 */
package org.mmemu.bpf;
