"""How passwords are hashed: Argon2id, sized for a login page that answers in a fraction of a second.

Django's default PBKDF2 (1,000,000 rounds) costs a third of a second of one core per login on these
machines, so fifty people arriving at once queue for seconds. Argon2id makes guessing expensive with
memory rather than time: 19 MiB, two passes, one lane (the OWASP recommendation) hashes in a few tens of
milliseconds here and is no cheaper to attack. Hashes made by PBKDF2 before still verify, and are re-made
with Argon2id at the next login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class SizedArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
