<?php
// Stand-in for GLPI's GLPIKey: XChaCha20-Poly1305-IETF with the 32-byte glpicrypt.key,
// stored as base64(nonce . ciphertext), the nonce doubling as additional data.
class GLPIKey
{
    private $keyfile;

    public function __construct(string $config_dir = GLPI_CONFIG_DIR)
    {
        $this->keyfile = $config_dir . '/glpicrypt.key';
    }

    public function get(): ?string
    {
        $key = is_readable($this->keyfile) ? file_get_contents($this->keyfile) : false;
        if ($key === false || strlen($key) !== SODIUM_CRYPTO_AEAD_XCHACHA20POLY1305_IETF_KEYBYTES) {
            trigger_error('Unable to get security key file contents.', E_USER_WARNING);
            return null;
        }
        return $key;
    }

    public function isConfigSecured(string $context, string $name): bool
    {
        return $context === 'core' && in_array($name, ['glpinetwork_registration_key', 'proxy_passwd', 'smtp_passwd'], true);
    }

    public function encrypt(string $string, ?string $key = null): string
    {
        $key = $key ?? $this->get();
        if ($key === null) {
            return '';
        }
        $nonce = random_bytes(SODIUM_CRYPTO_AEAD_XCHACHA20POLY1305_IETF_NPUBBYTES);
        return base64_encode($nonce . sodium_crypto_aead_xchacha20poly1305_ietf_encrypt($string, $nonce, $nonce, $key));
    }

    public function decrypt(?string $string, ?string $key = null): ?string
    {
        if (empty($string)) {
            return $string;
        }
        $key = $key ?? $this->get();
        if ($key === null) {
            return $string;
        }
        $raw = base64_decode($string, true);
        $size = SODIUM_CRYPTO_AEAD_XCHACHA20POLY1305_IETF_NPUBBYTES;
        $plain = $raw === false || strlen($raw) <= $size ? false
            : sodium_crypto_aead_xchacha20poly1305_ietf_decrypt(substr($raw, $size), substr($raw, 0, $size), substr($raw, 0, $size), $key);
        if ($plain === false) {
            trigger_error('Unable to decrypt string. It may have been crypted with another key.', E_USER_WARNING);
            return '';
        }
        return $plain;
    }
}
