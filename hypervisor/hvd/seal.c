/*
 * seal.c: the sealed bulk of a relocation over the underlay (hvd.h).
 *
 * CURVE authenticates the members and carries SETUP and READY; its
 * cipher (XSalsa20-Poly1305 in libsodium) moves about 1.3 GB/s on one
 * core, so the pages would cost more to encrypt than to send.  READY
 * hands the source a one-time key and a second endpoint of the target:
 * every later frame, both ways, goes there sealed with AES-256-GCM
 * under that key.  The header stays clear and authenticated (the
 * target finds the session by its rid); the payload and the pages are
 * encrypted; the tag ends the frame's last part.  The nonce is the
 * direction and a count of the frames sent that way, which the
 * receiver expects in order (one TCP connection): a frame replayed,
 * reordered, dropped or from the other direction does not open.
 */
#include <sys/random.h>

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "hvd.h"

int
seal_key_new(uint8_t key[SEAL_KEY])
{
	size_t	got = 0;
	ssize_t	n;

	while (got < SEAL_KEY) {
		if ((n = getrandom(key + got, SEAL_KEY - got, 0)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

int
seal_init(struct seal *s, const uint8_t key[SEAL_KEY], bool source)
{
	memset(s, 0, sizeof(*s));
	s->txdir = source ? SEAL_TO_TARGET : SEAL_TO_SOURCE;
	s->rxdir = source ? SEAL_TO_SOURCE : SEAL_TO_TARGET;
	if ((s->enc = EVP_CIPHER_CTX_new()) == NULL ||
	    (s->dec = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(s->enc, EVP_aes_256_gcm(), NULL, key, NULL) !=
	    1 || EVP_DecryptInit_ex(s->dec, EVP_aes_256_gcm(), NULL, key,
	    NULL) != 1) {
		seal_free(s);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
seal_free(struct seal *s)
{
	EVP_CIPHER_CTX_free(s->enc);
	EVP_CIPHER_CTX_free(s->dec);
	s->enc = s->dec = NULL;
}

/* The 96-bit nonce: the direction, then the frame's count. */
static void
seal_nonce(uint8_t iv[12], uint32_t dir, uint64_t n)
{
	int	i;

	for (i = 0; i < 4; i++)
		iv[i] = (uint8_t)(dir >> (24 - 8 * i));
	for (i = 0; i < 8; i++)
		iv[4 + i] = (uint8_t)(n >> (56 - 8 * i));
}

int
seal_begin(struct seal *s, const void *aad, size_t alen)
{
	uint8_t	iv[12];
	int	l;

	seal_nonce(iv, s->txdir, s->tx++);	/* used once, sent or not */
	if (EVP_EncryptInit_ex(s->enc, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(s->enc, NULL, &l, aad, (int)alen) != 1)
		return -1;
	return 0;
}

int
seal_data(struct seal *s, void *out, const void *in, size_t n)
{
	int	l;

	return EVP_EncryptUpdate(s->enc, out, &l, in, (int)n) == 1 ? 0 : -1;
}

int
seal_end(struct seal *s, uint8_t tag[SEAL_TAG])
{
	uint8_t	none[16];
	int	l;

	if (EVP_EncryptFinal_ex(s->enc, none, &l) != 1 ||
	    EVP_CIPHER_CTX_ctrl(s->enc, EVP_CTRL_AEAD_GET_TAG, SEAL_TAG, tag) !=
	    1)
		return -1;
	return 0;
}

/*
 * Open a frame in place: part a (its first alen bytes the clear
 * header), then part b if any; the tag ends the last part.  On success
 * the lengths lose the tag and the next frame is expected.  Returns 0,
 * or -1 with errno EBADMSG and the parts' contents undefined.
 */
int
seal_open(struct seal *s, size_t alen, uint8_t *a, size_t *alenp, uint8_t *b,
    size_t *blenp)
{
	uint8_t	 iv[12], none[16];
	uint8_t	*last = b != NULL ? b : a;
	size_t	*lastlen = b != NULL ? blenp : alenp;
	int	 l;

	if (*alenp < alen || *lastlen < SEAL_TAG ||
	    (b == NULL && *alenp < alen + SEAL_TAG))
		goto bad;
	*lastlen -= SEAL_TAG;
	seal_nonce(iv, s->rxdir, s->rx);
	if (EVP_DecryptInit_ex(s->dec, NULL, NULL, NULL, iv) != 1 ||
	    EVP_DecryptUpdate(s->dec, NULL, &l, a, (int)alen) != 1 ||
	    EVP_DecryptUpdate(s->dec, a + alen, &l, a + alen,
	    (int)(*alenp - alen)) != 1 ||
	    (b != NULL && EVP_DecryptUpdate(s->dec, b, &l, b, (int)*blenp) !=
	    1) ||
	    EVP_CIPHER_CTX_ctrl(s->dec, EVP_CTRL_AEAD_SET_TAG, SEAL_TAG,
	    last + *lastlen) != 1 ||
	    EVP_DecryptFinal_ex(s->dec, none, &l) != 1) {
		*lastlen += SEAL_TAG;
		goto bad;
	}
	s->rx++;
	return 0;
bad:
	errno = EBADMSG;
	return -1;
}
