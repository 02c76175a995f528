"""Synthetic personal and place names (Azerbaijani, and foreign for visiting observers)."""

from __future__ import annotations

import random

# fmt: off
MALE_GIVEN_NAMES = (
    "Rəşad", "Elçin", "Tural", "Orxan", "Ceyhun", "Vüqar", "Fuad", "Elnur", "Kamran", "Murad",
    "Anar", "Rauf", "İlqar", "Əli", "Həsən", "Hüseyn", "Səməd", "Mübariz", "Natiq", "Zaur",
    "Şahin", "Cavid", "Emin", "Nicat", "Ruslan", "Rövşən", "Ramil", "Taleh", "Fərid", "Elşən",
    "Qasım", "Ağası", "Bəhruz", "Çingiz", "Eldar", "Famil", "Gündüz", "İsmayıl", "Kənan",
    "Məhəmməd", "Nəriman", "Oqtay", "Pərviz", "Rüstəm", "Sənan", "Tofiq", "Ülvi", "Vasif",
    "Yaşar", "Zahid", "Aydın", "Bəxtiyar", "Cəlal", "Dəyanət", "Etibar", "Fikrət", "Hikmət",
    "İlham", "Kamal", "Mahir", "Nazim", "Rəhman", "Səbuhi", "Şükür", "Tərlan", "Vüsal",
)
FEMALE_GIVEN_NAMES = (
    "Aygün", "Günel", "Səbinə", "Leyla", "Nərmin", "Könül", "Aynur", "Şəbnəm", "Gülnar",
    "Ülviyyə", "Səidə", "Xədicə", "Nigar", "Lalə", "Fidan", "Aytən", "Gülşən", "Sevinc",
    "Türkan", "Çinarə", "Ləman", "Mələk", "Zərifə", "Afaq", "Nurlana", "Aidə", "Bahar",
    "Dilarə", "Elmira", "Fəridə", "Gülər", "İradə", "Kəmalə", "Mehriban", "Nailə", "Pərvanə",
    "Rəna", "Sevda", "Şəfəq", "Təranə", "Ulduz", "Vəfa", "Yeganə", "Zümrüd",
)
#: surnames in their masculine form; -ov/-yev take -a for women, -li and -zadə do not change
SURNAMES = (
    "Əliyev", "Məmmədov", "Həsənov", "Hüseynov", "Quliyev", "İsmayılov", "Abbasov", "Cəfərov",
    "Bağırov", "Rzayev", "Rəhimov", "Mustafayev", "Süleymanov", "Orucov", "Qasımov", "Əhmədov",
    "Kərimov", "Sadıqov", "Musayev", "Nəsirov", "Babayev", "Şükürov", "Vəliyev", "Salmanov",
    "Qurbanov", "İbrahimov", "Əsgərov", "Zeynalov", "Paşayev", "Nağıyev", "Həşimov", "Yusifov",
    "Məhərrəmov", "Cabbarov", "Allahverdiyev", "Novruzov", "Şirinov", "Tağıyev", "Hacıyev",
    "Əlizadə", "Mirzəzadə", "Qarabağlı", "Şirvanlı", "Gəncəli", "Naxçıvanlı", "Hacılı",
    "Bəylərli", "Ağayarlı", "Çələbi", "Ələkbərli", "Sultanlı", "Köçərli", "Ünsalov", "Göyüşov",
)
VILLAGE_STEMS = (
    "bulaq", "çay", "dərə", "təpə", "yurd", "oba", "qışlaq", "kənd", "bağ", "arx",
    "qaya", "düz", "göl", "yal", "meşə", "bəyli", "şıxlı", "hacılı", "köçərli", "əhmədli",
)
VILLAGE_PREFIXES = ("Qara", "Ağ", "Göy", "Sarı", "Yeni", "Köhnə", "Uzun", "Daş", "Çal", "Şah")
VILLAGE_QUALIFIERS = ("", "", "", "Yuxarı ", "Aşağı ", "Böyük ", "Kiçik ")
# fmt: on


def person_name(rng: random.Random, *, female: bool) -> str:
    """A name as printed on Azerbaijani ballots and registers: surname, given name, patronymic."""
    # indexing by random() rather than rng.choice: over 100,000 observers it halves the time
    draw = rng.random
    surname = SURNAMES[int(draw() * len(SURNAMES))]
    if female and surname.endswith(("ov", "ev")):
        surname += "a"
    given_names = FEMALE_GIVEN_NAMES if female else MALE_GIVEN_NAMES
    given = given_names[int(draw() * len(given_names))]
    father = MALE_GIVEN_NAMES[int(draw() * len(MALE_GIVEN_NAMES))]
    return f"{surname} {given} {father} {'qızı' if female else 'oğlu'}"


def village_name(rng: random.Random) -> str:
    """A plausible village or settlement name, such as "Yuxarı Qarabulaq"."""
    return rng.choice(VILLAGE_QUALIFIERS) + rng.choice(VILLAGE_PREFIXES) + rng.choice(VILLAGE_STEMS)


# fmt: off
FOREIGN_GIVEN_NAMES = (
    "Anna", "Thomas", "Maria", "John", "Elena", "Ahmet", "Olga", "Pierre", "Katarzyna", "Lars",
    "Sofia", "Marco", "Ingrid", "Dmitri", "Aisha", "Tariq", "Jana", "Miguel", "Emma", "Nurlan",
    "Gulnara", "Hans", "Ewa", "Luca", "Claire", "Bakhyt", "Mehmet", "Irina", "Kenji", "Fatima",
)
FOREIGN_SURNAMES = (
    "Schmidt", "Rossi", "Novak", "Kowalski", "Smith", "Yılmaz", "Ivanov", "Haddad", "Khan",
    "Silva", "Dubois", "Johansson", "Horvat", "Popescu", "Papadopoulos", "Nielsen", "Virtanen",
    "Kaya", "Petrov", "Garcia", "O'Brien", "Müller", "Bianchi", "Tokayev", "Karimov", "Ahmed",
    "Nowak", "Janssen", "Costa", "Suleimenov",
)
# fmt: on


def foreign_person_name(rng: random.Random) -> str:
    """A visiting observer's name, given name first."""
    return f"{rng.choice(FOREIGN_GIVEN_NAMES)} {rng.choice(FOREIGN_SURNAMES)}"
