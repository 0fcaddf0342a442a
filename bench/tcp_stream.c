/*
 * tcp_stream.c: the baselines of underlay_bench.sh: one TCP stream over
 * the path a relocation takes, plain or sealed.
 *
 *	tcp_stream recv ADDRESS PORT [CIPHER]	accept one connection, read
 *					it to its end, print MiB and MiB/s
 *	tcp_stream send ADDRESS PORT MIB [CIPHER]	send MIB MiB, close
 *
 * With CIPHER (an OpenSSL AEAD name: aes-256-gcm, chacha20-poly1305)
 * every MiB goes as a frame encrypted under a fixed key, its nonce a
 * count, its tag after it, and the receiver opens each in place and
 * fails on a tag that does not check: the least a relocation's sealed
 * bulk (hvd's seal.c) costs over the same path, without reading an
 * image, framing pages or storing them.  The receiver times from the
 * first byte to the end.  Run each side in its host's namespace (ip
 * netns exec).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK	(1 << 20)
#define TAG	16

static const EVP_CIPHER	*cipher;	/* NULL: plain */
static EVP_CIPHER_CTX	*ctx;
static uint64_t		 frames;

/* The next frame's nonce: a count, as seal.c does. */
static int
frame_init(int enc)
{
	static const unsigned char	key[32] = { 1, 2, 3 };
	unsigned char			iv[12] = { 0 };
	int				i;

	for (i = 0; i < 8; i++)
		iv[4 + i] = (unsigned char)(frames >> (56 - 8 * i));
	frames++;
	return EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, enc) == 1 ? 0 :
	    -1;
}

/* Encrypt in into out, the tag after it. */
static int
frame_seal(unsigned char *out, const unsigned char *in)
{
	int	l;

	return frame_init(1) == 0 &&
	    EVP_EncryptUpdate(ctx, out, &l, in, CHUNK) == 1 &&
	    EVP_EncryptFinal_ex(ctx, out + CHUNK, &l) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG, out + CHUNK) ==
	    1 ? 0 : -1;
}

/* Decrypt a frame in place; -1 if its tag does not check. */
static int
frame_open(unsigned char *buf)
{
	unsigned char	none[16];
	int		l;

	return frame_init(0) == 0 &&
	    EVP_DecryptUpdate(ctx, buf, &l, buf, CHUNK) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG, buf + CHUNK) ==
	    1 && EVP_DecryptFinal_ex(ctx, none, &l) == 1 ? 0 : -1;
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
addr_of(const char *a, const char *p, struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)atoi(p));
	return inet_pton(AF_INET, a, &sin->sin_addr) == 1 ? 0 : -1;
}

/* Read a whole frame (CHUNK and its tag); 0 at the stream's end. */
static ssize_t
read_frame(int c, unsigned char *buf)
{
	size_t	got = 0;
	ssize_t	n;

	while (got < CHUNK + TAG) {
		if ((n = read(c, buf + got, CHUNK + TAG - got)) <= 0)
			return got == 0 ? n : -1;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int
do_recv(struct sockaddr_in *sin)
{
	static unsigned char	buf[CHUNK + TAG];
	double			t0 = 0;
	long long		total = 0;
	ssize_t			n;
	int			s, c, one = 1;

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(s, (struct sockaddr *)sin, sizeof(*sin)) == -1 ||
	    listen(s, 1) == -1 || (c = accept(s, NULL, NULL)) == -1) {
		perror("tcp_stream: recv");
		return 1;
	}
	for (;;) {
		n = cipher == NULL ? read(c, buf, CHUNK) : read_frame(c, buf);
		if (n <= 0)
			break;
		if (total == 0)
			t0 = now_s();
		if (cipher != NULL && frame_open(buf) == -1) {
			fprintf(stderr, "tcp_stream: frame %ju does not open\n",
			    (uintmax_t)frames - 1);
			return 1;
		}
		total += cipher == NULL ? n : CHUNK;
	}
	if (n == -1 || total == 0) {
		perror("tcp_stream: read");
		return 1;
	}
	printf("%.1f %.1f\n", (double)total / CHUNK,
	    (double)total / CHUNK / (now_s() - t0));
	return 0;
}

static int
do_send(struct sockaddr_in *sin, long mib)
{
	static unsigned char	 buf[CHUNK], sealed[CHUNK + TAG];
	const unsigned char	*out = cipher != NULL ? sealed : buf;
	size_t			 len = cipher != NULL ? CHUNK + TAG : CHUNK, off;
	ssize_t			 n;
	int			 s, tries;

	memset(buf, 0xa5, sizeof(buf));
	for (tries = 0; ; tries++) {	/* the receiver may not listen yet */
		if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
			break;
		if (connect(s, (struct sockaddr *)sin, sizeof(*sin)) == 0)
			break;
		close(s);
		s = -1;
		if (tries == 50)
			break;
		usleep(100000);
	}
	if (s == -1) {
		perror("tcp_stream: connect");
		return 1;
	}
	for (long i = 0; i < mib; i++) {
		if (cipher != NULL && frame_seal(sealed, buf) == -1) {
			fprintf(stderr, "tcp_stream: cannot seal\n");
			return 1;
		}
		for (off = 0; off < len; off += (size_t)n)
			if ((n = write(s, out + off, len - off)) <= 0) {
				perror("tcp_stream: write");
				return 1;
			}
	}
	close(s);
	return 0;
}

/* An AEAD with a 12-byte nonce and a 16-byte tag, or none. */
static int
cipher_of(const char *name)
{
	if (name == NULL)
		return 0;
	if ((cipher = EVP_get_cipherbyname(name)) == NULL ||
	    (EVP_CIPHER_flags(cipher) & EVP_CIPH_FLAG_AEAD_CIPHER) == 0 ||
	    EVP_CIPHER_iv_length(cipher) != 12 ||
	    EVP_CIPHER_key_length(cipher) != 32) {
		fprintf(stderr, "tcp_stream: %s: not an AEAD with a 256-bit "
		    "key and a 96-bit nonce\n", name);
		return -1;
	}
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	sin;

	if (argc >= 4 && addr_of(argv[2], argv[3], &sin) == 0) {
		if ((argc == 4 || argc == 5) && strcmp(argv[1], "recv") == 0)
			return cipher_of(argv[4]) == -1 ? 2 : do_recv(&sin);
		if ((argc == 5 || argc == 6) && strcmp(argv[1], "send") == 0 &&
		    atol(argv[4]) > 0)
			return cipher_of(argv[5]) == -1 ? 2 :
			    do_send(&sin, atol(argv[4]));
	}
	fprintf(stderr, "usage: tcp_stream recv ADDRESS PORT [CIPHER]\n"
	    "       tcp_stream send ADDRESS PORT MIB [CIPHER]\n");
	return 2;
}
