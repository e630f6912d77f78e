import ViTCommands

ProcessSetup.preparePassiveOpenMP()
DistillCommand.main()
