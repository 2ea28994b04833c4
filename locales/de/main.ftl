# Die Seiten der Bridge auf Deutsch (Anrede: Sie).

## Jede Seite

page-status = Fehler { $status }

## Einwilligung

consent-title = { $client } autorisieren
consent-heading = { $client } möchte auf Ihr Konto zugreifen
consent-account = Angemeldet als { $account }
consent-scopes = { $client } erhält damit folgende Berechtigungen:
consent-remember = Diese Entscheidung merken
consent-deny = Ablehnen
consent-allow = Erlauben

## Beschreibungen der Berechtigungen

scope-openid = Sie mit Ihrem Konto anmelden
scope-profile = Ihr Name und grundlegende Profilangaben
scope-email = Ihre E-Mail-Adresse
scope-phone = Ihre Telefonnummer
scope-address = Ihre Postanschrift
scope-offline_access = Zugriff behalten, während Sie die Anwendung nicht nutzen (angemeldet bleiben)
scope-other = Zugriff auf „{ $scope }“

## Abmeldung

logout-title = Abmelden
logout-heading-client = Von { $client } abmelden?
logout-text-client = Sie werden von { $client } und von Ihrem Konto hier abgemeldet.
logout-heading = Abmelden?
logout-text = Sie werden von Ihrem Konto hier und von den Anwendungen abgemeldet, bei denen Sie es verwendet haben.
logout-cancel = Nein, angemeldet bleiben
logout-confirm = Ja, abmelden
logout-cancelled-title = Sie sind weiterhin angemeldet
logout-cancelled-message = Sie haben sich entschieden, angemeldet zu bleiben.
logout-cancelled-continue = Weiter
logout-failed-title = Sie sind weiterhin angemeldet
logout-failed-message = Die Abmeldung hat nicht funktioniert: Sie sind hier weiterhin mit Ihrem Konto angemeldet, und die Anwendung hat von keiner Abmeldung erfahren. Bitte versuchen Sie es gleich noch einmal.
logout-failed-retry = Erneut abmelden
logout-done-title = Sie sind abgemeldet
logout-done-message = Diese Abmeldung ist bereits abgeschlossen. Sie können diese Seite schließen.

## Anmeldung auf einem Gerät

device-title = Gerät verbinden
device-heading = Auf Ihrem Gerät anmelden
device-intro = Geben Sie den Code ein, den Ihr Fernseher, Ihre Konsole oder Ihr anderes Gerät anzeigt, und prüfen Sie, ob er übereinstimmt.
device-code-label = Code
device-continue = Weiter
device-hint-digits = Leerzeichen und Bindestriche spielen keine Rolle.
device-hint-case-sensitive = Geben Sie den Code genau wie angezeigt ein: Groß- und Kleinbuchstaben werden unterschieden. Leerzeichen und Bindestriche spielen keine Rolle.
device-hint-any-case = Groß- und Kleinschreibung, Leerzeichen und Bindestriche spielen keine Rolle.
device-code-missing = Geben Sie den Code ein, den Ihr Gerät anzeigt.
device-code-wrong =
    Dieser Code hat nicht funktioniert. Prüfen Sie den Code auf Ihrem Gerät (er ist vielleicht abgelaufen) und versuchen Sie es erneut. { $tries ->
        [one] Sie haben noch { $tries } Versuch.
       *[other] Sie haben noch { $tries } Versuche.
    }
# $seconds (Number) - how long to wait before trying again.
device-code-busy =
    Hier wurden zuletzt zu viele falsche Codes eingegeben, deshalb wurde dieser Code nicht geprüft. { $seconds ->
        [one] Warten Sie { $seconds } Sekunde und versuchen Sie es dann erneut.
       *[other] Warten Sie { $seconds } Sekunden und versuchen Sie es dann erneut.
    }
device-too-many-title = Zu viele falsche Codes
device-too-many-message = Beginnen Sie auf Ihrem Gerät von vorn, um einen neuen Code zu erhalten, und geben Sie dann diesen hier ein.
device-success-title = Gerät verbunden
device-success-heading = Sie sind auf Ihrem Gerät angemeldet
device-success-client = Sie haben sich auf Ihrem Gerät bei { $client } angemeldet.
device-success-close = Sie können diese Seite schließen und zu Ihrem Gerät zurückkehren.

## Fehlerseiten

error-unknown-request-title = Unbekannte Anfrage
error-unknown-request-message =
    { $flow ->
        [login] Diese Anmeldeanfrage ist nicht bekannt.
        [consent] Diese Einwilligungsanfrage ist nicht bekannt.
        [logout] Diese Abmeldeanfrage ist nicht bekannt.
        [device] Diese Geräteanfrage ist nicht bekannt.
       *[other] Diese Anfrage ist nicht bekannt.
    } Kehren Sie zur Anwendung zurück und beginnen Sie von vorn.
error-expired-title = Diese Anfrage ist abgelaufen
error-expired-message =
    { $flow ->
        [login] Diese Anmeldeanfrage ist abgelaufen.
        [consent] Diese Einwilligungsanfrage ist abgelaufen.
        [logout] Diese Abmeldeanfrage ist abgelaufen.
        [device] Diese Geräteanfrage ist abgelaufen.
       *[other] Diese Anfrage ist abgelaufen.
    } Kehren Sie zur Anwendung zurück und versuchen Sie es erneut.
error-bad-link-title = Dieser Link ist ungültig
error-bad-link-message = Der Anmeldelink ist unvollständig oder beschädigt. Kehren Sie zur Anwendung zurück und beginnen Sie von vorn.
error-no-external-id-title = Konto für diese Anwendung nicht bereit
error-no-external-id-message = Ihr Konto hat noch keine externe Kennung, die diese Anwendung jedoch benötigt. Bitte wenden Sie sich an den Support.
error-reauth-title = Anmeldung nicht abgeschlossen
error-reauth-message = Diese Anwendung hat Sie gebeten, Ihre Anmeldung zu bestätigen, und die Bestätigung ist nicht erfolgt.
error-reauth-retry = Erneut anmelden
error-form-expired-title = Dieses Formular ist abgelaufen
error-form-expired-message = Zu Ihrer Sicherheit kann dieses Formular nicht mehr verwendet werden. Kehren Sie zur Anwendung zurück und beginnen Sie von vorn.
error-form-unreadable-title = Dieses Formular konnte nicht gelesen werden
error-form-unreadable-message = Diese Seite kann das gesendete Formular nicht annehmen. Kehren Sie zur Anwendung zurück und beginnen Sie von vorn.
error-not-found-title = Seite nicht gefunden
error-not-found-message = Unter dieser Adresse gibt es nichts.
error-method-title = Methode nicht erlaubt
error-method-message = Diese Seite kann nicht auf diese Weise verwendet werden.
error-timeout-title = Die Anmeldung dauert zu lange
error-timeout-message = Ein Dienst, von dem die Anmeldung abhängt, hat nicht rechtzeitig geantwortet. Bitte versuchen Sie es gleich noch einmal.
error-internal-title = Etwas ist schiefgelaufen
error-internal-message = Ein unerwarteter Fehler ist aufgetreten. Bitte versuchen Sie es erneut.
error-unavailable-title = Die Anmeldung ist nicht verfügbar
error-unavailable-message = Ein Dienst, von dem die Anmeldung abhängt, funktioniert gerade nicht. Bitte versuchen Sie es gleich noch einmal.
error-completed-title = Diese Anfrage ist bereits abgeschlossen
error-completed-message = Kehren Sie bei Bedarf zur Anwendung zurück und beginnen Sie von vorn.

## Die Fehlerseite, auf die Hydra den Browser schickt, nach OAuth2-Fehlercode

oauth-title = Die Anmeldung konnte nicht abgeschlossen werden
oauth-home = Zurück zum Anfang
oauth-access_denied = Die Anfrage wurde abgelehnt, von Ihnen oder vom Dienst.
oauth-invalid_request = Die Anwendung hat eine Anfrage gesendet, die nicht verarbeitet werden konnte.
oauth-invalid_client = Die Anwendung darf Sie auf diese Weise nicht anmelden.
oauth-invalid_scope = Die Anwendung hat Berechtigungen angefordert, die ihr nicht zustehen.
oauth-unsupported = Die Anwendung hat eine Anmeldeart angefordert, die nicht unterstützt wird.
oauth-invalid_request_object = Die Anwendung hat ein ungültiges Anfrageobjekt gesendet.
oauth-login_required = Sie müssen sich erneut anmelden.
oauth-consent_required = Um fortzufahren, ist Ihre Zustimmung erforderlich.
oauth-interaction_required = Für diese Anmeldung ist Ihre Mitwirkung erforderlich.
oauth-account_selection_required = Bitte wählen Sie ein Konto, um fortzufahren.
oauth-request_unauthorized = Diese Anmeldeanfrage ist abgelaufen oder nicht zulässig.
oauth-request_forbidden = Diese Anfrage ist nicht zulässig.
oauth-invalid_grant = Die Anmeldung konnte nicht bestätigt werden. Bitte beginnen Sie von vorn.
oauth-server_error = Beim Anmeldedienst ist ein Problem aufgetreten.
oauth-temporarily_unavailable = Der Anmeldedienst ist vorübergehend nicht verfügbar. Bitte versuchen Sie es später erneut.
oauth-other = Etwas hat verhindert, dass die Anmeldung abgeschlossen wurde.

## Verbundene Anwendungen

apps-title = Verbundene Anwendungen
apps-heading = Anwendungen mit Zugriff auf Ihr Konto
apps-intro = Sie haben diesen Anwendungen erlaubt, Ihr Konto zu nutzen. Sie können den Zugriff jederzeit widerrufen.
apps-none = Keine Anwendung hat Zugriff auf Ihr Konto.
apps-former = Erlaubt, bevor sich die Kennung Ihres Kontos geändert hat.
link-site = Website
link-policy = Datenschutzerklärung
link-terms = Nutzungsbedingungen
apps-scopes = Sie darf:
apps-given = Erlaubt am { $date }
apps-remembered-until = Sie fragt bis zum { $date } nicht erneut nach Ihrer Zustimmung.
apps-remembered-always = Sie fragt nicht erneut nach Ihrer Zustimmung, bis Sie den Zugriff widerrufen.
apps-not-remembered = Sie fragt bei jeder Anmeldung nach Ihrer Zustimmung.
apps-date =
    { $day }. { $month ->
        [1] Januar
        [2] Februar
        [3] März
        [4] April
        [5] Mai
        [6] Juni
        [7] Juli
        [8] August
        [9] September
        [10] Oktober
        [11] November
       *[12] Dezember
    } { $year }
apps-more =
    { $count ->
        [one] Eine weitere Anwendung hat Zugriff und ist hier nicht aufgeführt. „Zugriff für alle Anwendungen widerrufen“ schließt sie ein.
       *[other] { $count } weitere Anwendungen haben Zugriff und sind hier nicht aufgeführt. „Zugriff für alle Anwendungen widerrufen“ schließt sie ein.
    }
apps-withdraw = Zugriff widerrufen
apps-withdraw-all = Zugriff für alle Anwendungen widerrufen
apps-confirm-title = Zugriff widerrufen
apps-confirm-heading = Zugriff für { $client } widerrufen?
apps-confirm-text = { $client } hat dann keinen Zugriff mehr auf Ihr Konto: Die Tokens der Anwendung werden ungültig, und sie fragt bei der nächsten Nutzung erneut nach Ihrer Zustimmung.
apps-confirm-heading-all = Zugriff für alle Anwendungen widerrufen?
apps-confirm-text-all = Diese Anwendungen haben dann keinen Zugriff mehr auf Ihr Konto: Ihre Tokens werden ungültig, und jede fragt bei der nächsten Nutzung erneut nach Ihrer Zustimmung.
apps-confirm-more =
    { $count ->
        [one] Und eine weitere Anwendung.
       *[other] Und { $count } weitere Anwendungen.
    }
apps-confirm-data = Was eine Anwendung bereits über Sie gespeichert hat, bleibt bei ihr. Wenden Sie sich an die Anwendung, wenn Sie es löschen lassen möchten.
apps-keep = Zugriff behalten
apps-done-title = Der Zugriff wurde widerrufen
apps-done-one = { $client } hat keinen Zugriff mehr auf Ihr Konto.
apps-done-all = Keine Anwendung hat mehr Zugriff auf Ihr Konto.
apps-done-data = Daten, die eine Anwendung bereits über Sie gespeichert hat, werden dadurch nicht gelöscht. Wenden Sie sich dafür an die Anwendung.
apps-partly-title = Der Zugriff wurde nur teilweise widerrufen
apps-failed-title = Der Zugriff wurde nicht widerrufen
apps-try-again = Der Dienst hat nicht jeden Widerruf bestätigt. Bitte versuchen Sie es in einem Moment erneut.
apps-withdrawn-list = Diese Anwendungen haben keinen Zugriff mehr:
apps-kept-list = Für diese Anwendungen wurde der Widerruf nicht bestätigt; sie haben möglicherweise weiterhin Zugriff:
apps-back = Zurück zu Ihren verbundenen Anwendungen
apps-not-on-list = Die gewählte Anwendung hat keinen Zugriff mehr auf Ihr Konto oder wurde inzwischen entfernt. Es wurde nichts geändert.
apps-nothing = Keine Anwendung hat Zugriff auf Ihr Konto, daher gab es nichts zu widerrufen.
apps-form-refused-title = Es wurde nichts geändert
apps-form-refused-message = Dieses Formular konnte nicht angenommen werden: Es ist abgelaufen oder stammt nicht von dieser Seite. Öffnen Sie die Liste erneut und wählen Sie noch einmal.
