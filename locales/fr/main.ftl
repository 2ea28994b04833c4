# Les pages de la passerelle en français (vouvoiement).

## Toutes les pages

page-status = Erreur { $status }

## Consentement

consent-title = Autoriser { $client }
consent-heading = { $client } souhaite accéder à votre compte
consent-account = Connecté en tant que { $account }
consent-scopes = { $client } pourra :
consent-remember = Mémoriser ce choix
consent-deny = Refuser
consent-allow = Autoriser

## Descriptions des autorisations

scope-openid = Vous connecter avec votre compte
scope-profile = Votre nom et les informations de base de votre profil
scope-email = Votre adresse e-mail
scope-phone = Votre numéro de téléphone
scope-address = Votre adresse postale
scope-offline_access = Conserver l’accès lorsque vous ne l’utilisez pas (rester connecté)
scope-other = Accès à « { $scope } »

## Déconnexion

logout-title = Se déconnecter
logout-heading-client = Se déconnecter de { $client } ?
logout-text-client = Vous serez déconnecté de { $client } et de votre compte ici.
logout-heading = Se déconnecter ?
logout-text = Vous serez déconnecté de votre compte ici et des applications avec lesquelles vous l’avez utilisé.
logout-cancel = Non, rester connecté
logout-confirm = Oui, me déconnecter
logout-cancelled-title = Vous êtes toujours connecté
logout-cancelled-message = Vous avez choisi de ne pas vous déconnecter.
logout-cancelled-continue = Continuer
logout-failed-title = Vous êtes toujours connecté
logout-failed-message = La déconnexion n’a pas fonctionné. Vous êtes toujours connecté à votre compte ici, et l’application n’a été informée d’aucune déconnexion. Veuillez réessayer dans un instant.
logout-failed-retry = Réessayer de me déconnecter
logout-done-title = Vous êtes déconnecté
logout-done-message = Cette déconnexion est déjà terminée. Vous pouvez fermer cette page.

## Connexion sur un appareil

device-title = Connecter un appareil
device-heading = Connectez-vous sur votre appareil
device-intro = Saisissez le code affiché par votre téléviseur, votre console ou un autre appareil, et vérifiez qu’il correspond.
device-code-label = Code
device-continue = Continuer
device-hint-digits = Les espaces et les tirets n’ont pas d’importance.
device-hint-case-sensitive = Saisissez-le exactement comme affiché : les majuscules et les minuscules sont différentes. Les espaces et les tirets n’ont pas d’importance.
device-hint-any-case = Les majuscules, les minuscules, les espaces et les tirets n’ont pas d’importance.
device-code-missing = Saisissez le code affiché sur votre appareil.
device-code-wrong =
    Ce code n’a pas fonctionné. Vérifiez le code sur votre appareil (il a peut-être expiré) et réessayez. { $tries ->
        [one] Il vous reste { $tries } essai.
       *[other] Il vous reste { $tries } essais.
    }
# $seconds (Number) - how long to wait before trying again.
device-code-busy =
    Trop de codes erronés ont été saisis ici récemment. Ce code n’a donc pas été vérifié. { $seconds ->
        [one] Attendez { $seconds } seconde, puis réessayez.
       *[other] Attendez { $seconds } secondes, puis réessayez.
    }
device-too-many-title = Trop de codes erronés
device-too-many-message = Recommencez sur votre appareil pour obtenir un nouveau code, puis saisissez-le ici.
device-success-title = Appareil connecté
device-success-heading = Vous êtes connecté sur votre appareil
device-success-client = Vous vous êtes connecté à { $client } sur votre appareil.
device-success-close = Vous pouvez fermer cette page et revenir à votre appareil.

## Pages d’erreur

error-unknown-request-title = Demande inconnue
error-unknown-request-message =
    { $flow ->
        [login] Cette demande de connexion est inconnue.
        [consent] Cette demande de consentement est inconnue.
        [logout] Cette demande de déconnexion est inconnue.
        [device] Cette demande d’appareil est inconnue.
       *[other] Cette demande est inconnue.
    } Revenez à l’application et recommencez.
error-expired-title = Cette demande a expiré
error-expired-message =
    { $flow ->
        [login] Cette demande de connexion a expiré.
        [consent] Cette demande de consentement a expiré.
        [logout] Cette demande de déconnexion a expiré.
        [device] Cette demande d’appareil a expiré.
       *[other] Cette demande a expiré.
    } Revenez à l’application et réessayez.
error-bad-link-title = Ce lien n’est pas valide
error-bad-link-message = Le lien de connexion est incomplet ou endommagé. Revenez à l’application et recommencez.
error-no-external-id-title = Compte non prêt pour cette application
error-no-external-id-message = Votre compte n’a pas encore d’identifiant externe, alors que cette application en exige un. Veuillez contacter l’assistance.
error-reauth-title = La connexion n’a pas abouti
error-reauth-message = Cette application vous a demandé de confirmer votre connexion, et elle n’a pas été confirmée.
error-reauth-retry = Se reconnecter
error-form-expired-title = Ce formulaire a expiré
error-form-expired-message = Pour votre sécurité, ce formulaire ne peut plus être utilisé. Revenez à l’application et recommencez.
error-form-unreadable-title = Ce formulaire n’a pas pu être lu
error-form-unreadable-message = Cette page n’accepte pas le formulaire qui lui a été envoyé. Revenez à l’application et recommencez.
error-not-found-title = Page introuvable
error-not-found-message = Il n’y a rien à cette adresse.
error-method-title = Méthode non autorisée
error-method-message = Cette page ne peut pas être utilisée de cette façon.
error-timeout-title = La connexion prend trop de temps
error-timeout-message = Un service dont dépend la connexion n’a pas répondu à temps. Veuillez réessayer dans un instant.
error-internal-title = Une erreur s’est produite
error-internal-message = Une erreur inattendue s’est produite. Veuillez réessayer.
error-unavailable-title = La connexion est indisponible
error-unavailable-message = Un service dont dépend la connexion ne fonctionne pas pour le moment. Veuillez réessayer dans un instant.
error-completed-title = Cette demande est déjà terminée
error-completed-message = Revenez à l’application et recommencez si nécessaire.

## La page d’erreur vers laquelle Hydra envoie le navigateur, par code d’erreur OAuth2

oauth-title = La connexion n’a pas pu aboutir
oauth-home = Retour au début
oauth-access_denied = La demande a été refusée, par vous ou par le service.
oauth-invalid_request = L’application a envoyé une demande qui n’a pas pu être traitée.
oauth-invalid_client = L’application n’est pas autorisée à vous connecter de cette façon.
oauth-invalid_scope = L’application a demandé des autorisations auxquelles elle n’a peut-être pas droit.
oauth-unsupported = L’application a demandé un mode de connexion qui n’est pas pris en charge.
oauth-invalid_request_object = L’application a envoyé un objet de requête non valide.
oauth-login_required = Vous devez vous reconnecter.
oauth-consent_required = Votre autorisation est nécessaire pour continuer.
oauth-interaction_required = Cette connexion nécessite votre intervention.
oauth-account_selection_required = Veuillez choisir un compte pour continuer.
oauth-request_unauthorized = Cette demande de connexion a expiré ou n’est pas autorisée.
oauth-request_forbidden = Cette demande n’est pas autorisée.
oauth-invalid_grant = La connexion n’a pas pu être confirmée. Veuillez recommencer.
oauth-server_error = Le service de connexion a rencontré un problème.
oauth-temporarily_unavailable = Le service de connexion est temporairement indisponible. Veuillez réessayer plus tard.
oauth-other = Un problème a empêché la connexion d’aboutir.

## Applications connectées

apps-title = Applications connectées
apps-heading = Applications ayant accès à votre compte
apps-intro = Vous avez autorisé ces applications à utiliser votre compte. Vous pouvez retirer leur accès à tout moment.
apps-none = Aucune application n’a accès à votre compte.
apps-former = Autorisée avant le changement d’identifiant de votre compte.
link-site = Site web
link-policy = Politique de confidentialité
link-terms = Conditions d’utilisation
apps-scopes = Elle peut :
apps-given = Autorisée le { $date }
apps-remembered-until = Elle ne vous redemandera pas votre autorisation avant le { $date }.
apps-remembered-always = Elle ne vous redemandera pas votre autorisation tant que vous ne retirez pas son accès.
apps-not-remembered = Elle vous demande votre autorisation à chaque connexion.
apps-date =
    { $day } { $month ->
        [1] janvier
        [2] février
        [3] mars
        [4] avril
        [5] mai
        [6] juin
        [7] juillet
        [8] août
        [9] septembre
        [10] octobre
        [11] novembre
       *[12] décembre
    } { $year }
apps-more =
    { $count ->
        [one] Une autre application a accès et n’est pas listée ici. « Retirer l’accès de toutes les applications » l’inclut.
       *[other] { $count } autres applications ont accès et ne sont pas listées ici. « Retirer l’accès de toutes les applications » les inclut.
    }
apps-withdraw = Retirer l’accès
apps-withdraw-all = Retirer l’accès de toutes les applications
apps-confirm-title = Retirer l’accès
apps-confirm-heading = Retirer l’accès de { $client } ?
apps-confirm-text = { $client } n’aura plus accès à votre compte : ses jetons cesseront de fonctionner et elle vous redemandera votre autorisation la prochaine fois que vous l’utiliserez.
apps-confirm-heading-all = Retirer l’accès de toutes les applications ?
apps-confirm-text-all = Ces applications n’auront plus accès à votre compte : leurs jetons cesseront de fonctionner et chacune vous redemandera votre autorisation la prochaine fois que vous l’utiliserez.
apps-confirm-more =
    { $count ->
        [one] Et une autre application.
       *[other] Et { $count } autres applications.
    }
apps-confirm-data = Ce qu’une application a déjà enregistré à votre sujet reste chez elle. Pour le faire supprimer, contactez l’application.
apps-keep = Conserver l’accès
apps-done-title = Accès retiré
apps-done-one = { $client } n’a plus accès à votre compte.
apps-done-all = Plus aucune application n’a accès à votre compte.
apps-done-data = Les données qu’une application a déjà enregistrées à votre sujet ne sont pas supprimées pour autant. Pour cela, contactez l’application.
apps-partly-title = L’accès n’a été retiré qu’en partie
apps-failed-title = L’accès n’a pas été retiré
apps-try-again = Le service n’a pas confirmé chaque retrait. Veuillez réessayer dans un instant.
apps-withdrawn-list = Ces applications n’ont plus accès :
apps-kept-list = Le retrait n’a pas été confirmé pour ces applications ; elles ont peut-être toujours accès :
apps-back = Retour à vos applications connectées
apps-not-on-list = L’application choisie n’a plus accès à votre compte ou a été supprimée entre-temps. Rien n’a été modifié.
apps-nothing = Aucune application n’a accès à votre compte ; il n’y avait rien à retirer.
apps-form-refused-title = Rien n’a été modifié
apps-form-refused-message = Ce formulaire n’a pas pu être accepté : il a expiré ou ne provient pas de cette page. Ouvrez de nouveau la liste et faites votre choix une nouvelle fois.
