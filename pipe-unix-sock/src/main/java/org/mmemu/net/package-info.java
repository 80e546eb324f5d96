/**
 * AF_UNIX sockets (net/unix/af_unix.c, net/core/sock.c, net/core/skbuff.c): connected pairs of
 * stream and datagram sockets whose buffers, socket buffers ({@code sk_buff}s) with kmalloc'd
 * heads and page fragments, are allocated with the socket's {@code sk_allocation} in the sender's
 * context and freed by whoever consumes or purges them.
 */
package org.mmemu.net;
