import { describe, expect, it } from 'vitest';
import { detectLanguage, sampleOf } from '../../src/adapters/language/detect-language.js';
import { LANGUAGES } from '../../src/config/languages/index.js';

const fromText = (text: string, supported: readonly string[] = LANGUAGES) => detectLanguage({ contentLanguage: null, text }, supported);

/** What customers write to a support desk, one or two sentences each. */
const WRITTEN: [string, string][] = [
  ['nl', 'Mijn factuur klopt niet, er staat een bedrag op dat ik vorige maand al heb betaald.'],
  ['nl', 'Goedemorgen, sinds de update van gisteren kan ik niet meer inloggen. Kunnen jullie even kijken?'],
  ['nl', 'Ik heb mijn pakket nog steeds niet ontvangen, terwijl de track & trace zegt dat het bezorgd is.'],
  ['nl', 'Bedankt voor het snelle antwoord! Helaas werkt het nog steeds niet, ik krijg dezelfde foutmelding.'],
  ['nl', 'Graag wil ik mijn abonnement per direct opzeggen. Wat moet ik daarvoor doen?'],
  ['de', 'Meine Rechnung ist falsch, Sie haben mir den Betrag für März doppelt berechnet.'],
  ['de', 'Guten Tag, seit dem letzten Update kann ich mich nicht mehr einloggen. Können Sie mir helfen?'],
  ['de', 'Mein Paket ist immer noch nicht angekommen, obwohl die Sendungsverfolgung „zugestellt“ anzeigt.'],
  ['de', 'Danke für die schnelle Antwort! Leider funktioniert es immer noch nicht, es erscheint dieselbe Fehlermeldung.'],
  ['de', 'Ich möchte mein Abonnement fristgerecht kündigen. Was muss ich dafür tun?'],
  ['it', 'La fattura di marzo non è corretta: mi avete addebitato due volte lo stesso importo.'],
  ['it', 'Buongiorno, dopo l’ultimo aggiornamento non riesco più ad accedere. Potete aiutarmi?'],
  ['it', 'Il pacco non mi è ancora arrivato, anche se il tracciamento dice che è stato consegnato.'],
  ['it', 'Grazie per la risposta veloce! Purtroppo non funziona ancora, compare lo stesso messaggio di errore.'],
  ['it', 'Vorrei disdire il mio abbonamento con effetto immediato. Come devo fare?'],
  ['da', 'Min faktura er forkert, I har trukket det samme beløb to gange for marts.'],
  ['da', 'Godmorgen, efter den seneste opdatering kan jeg ikke længere logge ind. Kan I hjælpe mig?'],
  ['da', 'Min pakke er stadig ikke kommet, selvom sporingen siger, at den er leveret.'],
  ['da', 'Tak for det hurtige svar! Desværre virker det stadig ikke, jeg får den samme fejlbesked.'],
  ['da', 'Jeg vil gerne opsige mit abonnement med det samme. Hvad skal jeg gøre?'],
  ['en', 'My invoice is wrong, you charged me twice for the same amount in March.'],
  ['en', 'Good morning, since the last update I can no longer log in. Could you help me with this?'],
  ['en', 'My parcel still has not arrived, even though the tracking page says it was delivered.'],
  ['en', 'Thank you for the quick reply! Unfortunately it still does not work, I get the same error message.'],
  ['en', 'I would like to cancel my subscription with immediate effect. What do I need to do?'],
];

describe('detectLanguage: from the text', () => {
  it.each(WRITTEN)('%s: %s', (language, text) => {
    expect(fromText(text)).toBe(language);
  });

  it.each([
    ['fr', 'Bonjour, ma facture est incorrecte, vous avez débité deux fois le même montant en mars.'],
    ['fr', 'Merci pour votre réponse rapide, mais le problème n’est toujours pas résolu.'],
    ['es', 'Hola, mi factura no es correcta, me han cobrado dos veces el mismo importe en marzo.'],
    ['es', 'Desde la última actualización ya no puedo iniciar sesión. ¿Me pueden ayudar?'],
    ['pt', 'Olá, a minha encomenda ainda não chegou, apesar de o site dizer que foi entregue.'],
    ['sv', 'Hej, min faktura stämmer inte, ni har dragit samma belopp två gånger i mars.'],
    ['pl', 'Dzień dobry, moja faktura jest nieprawidłowa, pobrali Państwo dwa razy tę samą kwotę.'],
    ['ru', 'Здравствуйте, мой счёт неверный, вы списали одну и ту же сумму дважды.'],
  ])('%s, not supported → null: %s', (_, text) => {
    expect(fromText(text)).toBeNull();
  });

  it.each(['Thanks!', 'Bedankt!', 'Danke schön, das war es.', 'Grazie mille!', 'Tusind tak!', 'Ok', '', '   \n  ', '12345 67890'])(
    'too short to tell → null: %j',
    (text) => {
      expect(fromText(text)).toBeNull();
    },
  );

  it('answers only with a supported language', () => {
    const dutch = 'Mijn factuur klopt niet, er staat een bedrag op dat ik vorige maand al heb betaald.';
    expect(fromText(dutch, ['en', 'de'])).toBeNull();
    expect(fromText(dutch, ['nl'])).toBe('nl');
  });

  it('does not take Danish for Dutch when Danish is not supported', () => {
    expect(fromText('Jeg vil gerne opsige mit abonnement med det samme. Hvad skal jeg gøre?', ['en', 'nl', 'de'])).toBeNull();
  });

  it('keeps a Dutch or German mail signed with a Danish name in its language', () => {
    expect(fromText('Ik heb een probleem met mijn factuur, het bedrag klopt niet.\n\nGroet,\nSøren Ødegård')).toBe('nl');
    expect(fromText('Ich habe ein Problem mit meiner Rechnung, der Betrag stimmt nicht.\n\nGruß\nSøren Ødegård')).toBe('de');
  });

  it('reads Norwegian Bokmål, written much like Danish, as Danish', () => {
    expect(fromText('Hei, fakturaen min stemmer ikke, beløpet er for høyt. Kan dere se på det?')).toBe('da');
  });
});

describe('detectLanguage: what is looked at', () => {
  const ENGLISH_HISTORY = [
    'On Mon, 2 Mar 2026 at 10:15, Support <support@example.com> wrote:',
    ...Array.from({ length: 30 }, () => '> Thank you for contacting us. We have looked into your account and everything seems to be in order on our side.'),
  ].join('\n');

  it('is not swayed by quoted history in another language', () => {
    const reply = 'Nee, het probleem is er nog steeds. Ik krijg nog altijd dezelfde foutmelding bij het inloggen.';
    expect(fromText(`${reply}\n\n${ENGLISH_HISTORY}`)).toBe('nl');
    expect(fromText(`${ENGLISH_HISTORY.split('\n').slice(1).join('\n')}\n\n${reply}`)).toBe('nl');
  });

  it('does not count a quoted history as text: a short reply above it stays unknown', () => {
    expect(fromText(`Dank je!\n\n${ENGLISH_HISTORY}`)).toBeNull();
  });

  it('leaves out links, addresses and long tokens', () => {
    expect(sampleOf('Zie https://example.com/account/settings/notifications en mail naar info@example.com of <www.example.org> aub.')).toBe('Zie en mail naar of aub.');
    expect(sampleOf(`Token ${'A'.repeat(500)} klopt niet`)).toBe('Token klopt niet');
    expect(fromText('https://example.com/this/is/a/rather/long/english/path/about/invoices and see https://example.com/another/page')).toBeNull();
  });

  it('reads only the start of a long mail, quickly', () => {
    const dutch = 'Mijn factuur klopt niet, er staat een bedrag op dat ik vorige maand al heb betaald. '.repeat(30);
    const german = 'Meine Rechnung ist falsch, Sie haben mir den Betrag für März doppelt berechnet. '.repeat(20_000);
    const started = performance.now();
    expect(fromText(dutch + german)).toBe('nl');
    expect(fromText('x'.repeat(1_000_000))).toBeNull();
    expect(fromText(`${'a@'.repeat(200_000)} ${'http'.repeat(200_000)}`)).toBeNull();
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('detectLanguage: Content-Language first', () => {
  const ENGLISH = 'My invoice is wrong, you charged me twice for the same amount in March.';
  const DUTCH = 'Mijn factuur klopt niet, er staat een bedrag op dat ik vorige maand al heb betaald.';

  it.each([
    ['nl-NL, en', ENGLISH, 'nl'],
    ['de', ENGLISH, 'de'],
    ['DA-dk', ENGLISH, 'da'],
    ['it_IT', ENGLISH, 'it'],
    ['fr-FR, de-CH', ENGLISH, 'de'],
    ['en-US', DUTCH, 'en'],
    ['  nl ', 'Ok', 'nl'],
  ])('%j wins over the text', (header, text, expected) => {
    expect(detectLanguage({ contentLanguage: header, text }, LANGUAGES)).toBe(expected);
  });

  it.each([
    ['fr-FR', DUTCH, 'nl'],
    ['', DUTCH, 'nl'],
    ['x-klingon', ENGLISH, 'en'],
    ['fr', 'Merci beaucoup !', null],
  ])('%j names no supported language: the text decides', (header, text, expected) => {
    expect(detectLanguage({ contentLanguage: header, text }, LANGUAGES)).toBe(expected);
  });

  it('answers with the spelling of the supported list', () => {
    expect(detectLanguage({ contentLanguage: 'nl-BE', text: '' }, ['EN', 'NL'])).toBe('NL');
  });
});
